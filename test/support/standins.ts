import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeEngine } from "../../src/stack/docker-engine.js";
import { HELLO } from "./cli.js";
import { freePortsFor } from "./ports.js";

const STANDINS = {
  registry: "devstack-standin/registry:bookworm",
  postgres: "devstack-standin/postgres:bookworm",
  pebble: "devstack-standin/pebble:bookworm",
  "pebble-challtestsrv": "devstack-standin/challtestsrv:bookworm",
  smtp: "devstack-standin/smtp:bookworm",
  "object-store": "devstack-standin/object-store:bookworm",
  redis: "devstack-standin/redis:bookworm",
};

/** Why the Docker tier cannot run here, or undefined when it can. */
export async function dockerTierMissing(): Promise<string | undefined> {
  const engine = await probeEngine();
  if (!engine.reachable) return `no Docker engine at ${engine.endpoint} (${engine.error})`;
  for (const image of Object.values(STANDINS)) {
    if (spawnSync("docker", ["image", "inspect", image], { stdio: "ignore" }).status !== 0) {
      return `stand-in image ${image} is not built (scripts/build-standin-images.sh)`;
    }
  }
  return undefined;
}

/** A copy of examples/hello whose local profile runs the stand-ins on free ports; `app` is added to its devstack.yaml (e.g. services). */
export async function standinProject(options: { app?: string } = {}): Promise<{ dir: string; ports: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), "devstack-stack-"));
  for (const f of ["devstack.yaml", "Dockerfile", ".dockerignore", "package.json", "package-lock.json", "src"]) cpSync(join(HELLO, f), join(dir, f), { recursive: true });
  if (options.app) appendFileSync(join(dir, "devstack.yaml"), `\n${options.app}`);
  const names = ["registry", "postgres", "acme", "acmeManagement", "acmeTestServer", "smtp", "smtpUi", "http", "https", "kubeApi", "objectStore", "redis"];
  const ports = await freePortsFor(names);
  const overrides = Object.entries(STANDINS).map(([k, v]) => `    ${k}: ${v}`).join("\n");
  const portLines = Object.entries(ports).map(([k, v]) => `  ${k}: ${v}`).join("\n");
  const profile = `cluster:\n  type: k3s\ndomain: localhost\nimages:\n  overrides:\n${overrides}\nports:\n${portLines}\nvars:\n  api_host: api.localhost\n`;
  cpSync(join(HELLO, "profiles"), join(dir, "profiles"), { recursive: true });
  writeFileSync(join(dir, "profiles", "local.yaml"), profile);
  return { dir, ports };
}
