#!/usr/bin/env node
// The inner loop on the Docker tier: save a one-line change → watcher →
// rebuild of the images whose sources changed → pushed to the local
// registry. examples/hello by default; BENCH_EXAMPLE=shop changes the
// worker's code in examples/shop, where only its image (the api's) may be
// rebuilt. Uses the stand-in images (scripts/build-standin-images.sh) for the
// registry and the base image.
import { spawnSync } from "node:child_process";
import { appendFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { bin, median, standinProject } from "./lib/standin-project.mjs";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const example = process.env.BENCH_EXAMPLE ?? "hello";
const changed = { hello: join("src", "server.js"), shop: join("api", "src", "worker.js") }[example];
if (!changed) throw new Error(`BENCH_EXAMPLE=${example}: hello or shop`);
const { dir, home } = await standinProject("devstack-bench-loop", example);
process.env.DEVSTACK_HOME = home;
const cli = (args) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env: process.env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`devstack ${args.join(" ")}: ${r.stdout}${r.stderr}`);
};

const { loadConfig } = await import("../dist/config/resolve.js");
const { connectDocker } = await import("../dist/stack/docker.js");
const { buildAndPublishLocal } = await import("../dist/deploy/publish.js");
const { builtComponents } = await import("../dist/build/source.js");
// Every component that builds its own image, each published only when its sources changed.
const publishComponentsLocal = async (docker, config) => {
  const published = {};
  for (const component of builtComponents(config)) published[component] = await buildAndPublishLocal(docker, config, { component });
  return published;
};
const { RedeployLoop } = await import("../dist/watch/loop.js");
const { watchProject } = await import("../dist/watch/watcher.js");

const samples = [];
const builds = [];
const pushes = [];
const rebuilt = new Set();
let watcher;
try {
  cli(["up", "--services-only", "--json"]);
  const docker = await connectDocker();
  const config = loadConfig({ cwd: dir, profile: "local" });
  const coldStart = performance.now();
  await publishComponentsLocal(docker, config);
  const cold = performance.now() - coldStart;

  let savedAt = 0;
  let done;
  const loop = new RedeployLoop(
    async () => {
      const published = Object.entries(await publishComponentsLocal(docker, config));
      for (const [name, p] of published) if (p.built) rebuilt.add(name);
      builds.push(published.reduce((n, [, p]) => n + p.ms.build, 0));
      pushes.push(published.reduce((n, [, p]) => n + p.ms.push, 0));
      done(performance.now() - savedAt);
    },
    { debounceMs: 100 },
  );
  watcher = await watchProject(config, (path, kind) => loop.notify(path, kind));
  await watcher.ready;
  for (let i = 0; i < runs; i++) {
    const finished = new Promise((resolve) => (done = resolve));
    savedAt = performance.now();
    appendFileSync(join(dir, changed), `\n// change ${i}\n`);
    samples.push(await finished);
  }
  loop.stop();
  console.log(`cold build and push of examples/${example}: ${Math.round(cold)} ms`);
  console.log(`save ${changed} → image pushed, one-line change, median of ${runs}: ${median(samples)} ms (build ${median(builds)} ms, push ${median(pushes)} ms, debounce 100 ms); rebuilt: ${[...rebuilt].join(", ")}`);
  console.log(JSON.stringify({ bench: "loop", example, runs, save_to_pushed_ms_median: median(samples), build_ms_median: median(builds), push_ms_median: median(pushes), cold_build_push_ms: Math.round(cold), rebuilt: [...rebuilt] }));
} finally {
  await watcher?.close();
  spawnSync(process.execPath, [bin, "down", "--purge", "--yes"], { cwd: dir, env: process.env });
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}
