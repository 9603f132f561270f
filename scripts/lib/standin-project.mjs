// A copy of an example (examples/hello unless named) whose local profile runs
// the stand-in images on free loopback ports, for the Docker-tier benchmarks.
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePortsFor } from "./ports.mjs";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const bin = join(root, "bin", "devstack.js");

export async function standinProject(prefix, example = "hello") {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const home = mkdtempSync(join(tmpdir(), `${prefix}-home-`));
  cpSync(join(root, "examples", example), dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  const names = ["registry", "postgres", "acme", "acmeManagement", "acmeTestServer", "smtp", "smtpUi", "http", "https", "kubeApi", "objectStore"];
  const ports = await freePortsFor(names);
  const standins = { registry: "registry", postgres: "postgres", pebble: "pebble", "pebble-challtestsrv": "challtestsrv", smtp: "smtp", "object-store": "object-store" };
  writeFileSync(
    join(dir, "profiles", "local.yaml"),
    `cluster: { type: k3s }\ndomain: localhost\nimages:\n  overrides:\n${Object.entries(standins).map(([k, v]) => `    ${k}: devstack-standin/${v}:bookworm`).join("\n")}\nports:\n${Object.entries(ports).map(([k, v]) => `  ${k}: ${v}`).join("\n")}\nvars: { api_host: api.localhost }\n`,
  );
  return { dir, home };
}

export const median = (xs) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
