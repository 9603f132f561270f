#!/usr/bin/env node
// Median wall time of `devstack --version` and `devstack config` (examples/hello),
// each run as a fresh process the way a user runs it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "devstack.js");
const hello = join(root, "examples", "hello");
const runs = Number(process.env.BENCH_RUNS ?? 15);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(args) {
  const samples = [];
  spawnSync(process.execPath, [bin, ...args], { cwd: hello }); // warm the file cache
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: hello, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`devstack ${args.join(" ")} failed: ${result.stderr}`);
    samples.push(ms);
  }
  return { median: Math.round(median(samples)), min: Math.round(Math.min(...samples)), max: Math.round(Math.max(...samples)) };
}

const bare = time(["--version"]);
const node = (() => {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ["-e", "0"]);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return Math.round(median(samples));
})();
const config = time(["config", "--profile", "prod", "--json"]);
const help = time(["--help"]);

console.log(`node -e 0 (floor)         median ${node} ms`);
console.log(`devstack --version        median ${bare.median} ms (min ${bare.min}, max ${bare.max}) over ${runs} runs`);
console.log(`devstack --help           median ${help.median} ms`);
console.log(`devstack config --json    median ${config.median} ms (min ${config.min}, max ${config.max})`);
console.log(JSON.stringify({ bench: "cli", runs, node_floor_ms_median: node, version_ms_median: bare.median, help_ms_median: help.median, config_ms_median: config.median }));
