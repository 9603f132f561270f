#!/usr/bin/env node
// `devstack up --services-only` on this machine's Docker engine with the
// stand-in images: cold (nothing exists), restart (after `down`, volumes kept)
// and warm (everything already running: every container reused).
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "devstack.js");
const runs = Number(process.env.BENCH_RUNS ?? 3);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), "devstack-bench-up-"));
const home = mkdtempSync(join(tmpdir(), "devstack-bench-home-"));
for (const f of ["devstack.yaml", "Dockerfile", "package.json", "src", "profiles"]) cpSync(join(root, "examples", "hello", f), join(dir, f), { recursive: true });
const ports = {};
for (const k of ["registry", "postgres", "acme", "acmeManagement", "acmeTestServer", "smtp", "smtpUi", "http", "https", "kubeApi"]) ports[k] = await freePort();
const standins = { registry: "registry", postgres: "postgres", pebble: "pebble", "pebble-challtestsrv": "challtestsrv", smtp: "smtp" };
writeFileSync(
  join(dir, "profiles", "local.yaml"),
  `cluster: { type: k3s }\ndomain: localhost\nimages:\n  overrides:\n${Object.entries(standins).map(([k, v]) => `    ${k}: devstack-standin/${v}:bookworm`).join("\n")}\nports:\n${Object.entries(ports).map(([k, v]) => `  ${k}: ${v}`).join("\n")}\nvars: { api_host: api.localhost }\n`,
);

function devstack(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, DEVSTACK_HOME: home }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`devstack ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return performance.now() - t;
}

const median = (xs) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const cold = [];
const restart = [];
const warm = [];
try {
  for (let i = 0; i < runs; i++) {
    cold.push(devstack(["up", "--services-only", "--json"]));
    devstack(["down"]);
    restart.push(devstack(["up", "--services-only", "--json"]));
    warm.push(devstack(["up", "--services-only", "--json"]));
    devstack(["down", "--purge", "--yes"]);
  }
} finally {
  spawnSync(process.execPath, [bin, "down", "--purge", "--yes"], { cwd: dir, env: { ...process.env, DEVSTACK_HOME: home } });
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}
console.log(`up --services-only, median of ${runs}:`);
console.log(`  cold (nothing exists)          ${median(cold)} ms`);
console.log(`  restart (after down)           ${median(restart)} ms`);
console.log(`  warm (all running, all reused) ${median(warm)} ms`);
console.log(JSON.stringify({ bench: "up", runs, cold_ms_median: median(cold), restart_ms_median: median(restart), warm_ms_median: median(warm) }));
