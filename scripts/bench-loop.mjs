#!/usr/bin/env node
// The inner loop on the Docker tier: save a one-line change in examples/hello
// → watcher → rebuild → image pushed to the local registry. Uses the stand-in
// images (scripts/build-standin-images.sh) for the registry and the base image.
import { spawnSync } from "node:child_process";
import { appendFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { bin, median, standinProject } from "./lib/standin-project.mjs";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const { dir, home } = await standinProject("devstack-bench-loop");
process.env.DEVSTACK_HOME = home;
const cli = (args) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env: process.env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`devstack ${args.join(" ")}: ${r.stdout}${r.stderr}`);
};

const { loadConfig } = await import("../dist/config/resolve.js");
const { connectDocker } = await import("../dist/stack/docker.js");
const { buildAndPublishLocal } = await import("../dist/deploy/publish.js");
const { RedeployLoop } = await import("../dist/watch/loop.js");
const { watchProject } = await import("../dist/watch/watcher.js");

const samples = [];
const builds = [];
const pushes = [];
let watcher;
try {
  cli(["up", "--services-only", "--json"]);
  const docker = await connectDocker();
  const config = loadConfig({ cwd: dir, profile: "local" });
  const coldStart = performance.now();
  await buildAndPublishLocal(docker, config);
  const cold = performance.now() - coldStart;

  let savedAt = 0;
  let done;
  const loop = new RedeployLoop(
    async () => {
      const published = await buildAndPublishLocal(docker, config);
      builds.push(published.ms.build);
      pushes.push(published.ms.push);
      done(performance.now() - savedAt);
    },
    { debounceMs: 100 },
  );
  watcher = await watchProject(config, (path, kind) => loop.notify(path, kind));
  await watcher.ready;
  for (let i = 0; i < runs; i++) {
    const finished = new Promise((resolve) => (done = resolve));
    savedAt = performance.now();
    appendFileSync(join(dir, "src", "server.js"), `\n// change ${i}\n`);
    samples.push(await finished);
  }
  loop.stop();
  console.log(`cold build and push of examples/hello: ${Math.round(cold)} ms`);
  console.log(`save → image pushed, one-line change, median of ${runs}: ${median(samples)} ms (build ${median(builds)} ms, push ${median(pushes)} ms, debounce 100 ms)`);
  console.log(JSON.stringify({ bench: "loop", runs, save_to_pushed_ms_median: median(samples), build_ms_median: median(builds), push_ms_median: median(pushes), cold_build_push_ms: Math.round(cold) }));
} finally {
  await watcher?.close();
  spawnSync(process.execPath, [bin, "down", "--purge", "--yes"], { cwd: dir, env: process.env });
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}
