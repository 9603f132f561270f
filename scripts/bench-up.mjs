#!/usr/bin/env node
// `devstack up --services-only` on this machine's Docker engine with the
// stand-in images: cold (nothing exists), restart (after `down`, volumes kept)
// and warm (everything already running: every container reused).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { bin, median, standinProject } from "./lib/standin-project.mjs";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const { dir, home } = await standinProject("devstack-bench-up");

function devstack(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, DEVSTACK_HOME: home }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`devstack ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return performance.now() - t;
}

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
