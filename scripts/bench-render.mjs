#!/usr/bin/env node
// Render time of examples/hello (both charts), split into what devstack does
// itself (config, values, schema validation) and what helm does (template),
// plus the wall time of the whole `devstack render` command. With
// DEVSTACK_PLATFORM_CHARTS pointing at the subchart packages, the platform is
// rendered with its seven real subcharts; otherwise they are skipped.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

process.env.DEVSTACK_OFFLINE ??= "1";
const root = fileURLToPath(new URL("..", import.meta.url));
const hello = join(root, "examples", "hello");
const runs = Number(process.env.BENCH_RUNS ?? 10);
const { loadConfig } = await import("../dist/config/resolve.js");
const { renderImage, renderProfile } = await import("../dist/charts/render.js");

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return Math.round(s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2);
};

const samples = { config: [], values: [], helm: [], validate: [], total: [] };
let first;
for (let i = 0; i <= runs; i++) {
  const t0 = performance.now();
  const config = loadConfig({ cwd: hello, profile: "local" });
  const image = await renderImage(config);
  const t1 = performance.now();
  const renders = await renderProfile(config, image);
  const t2 = performance.now();
  // The first run pays module loading, helm and the chart cache once; later ones find unchanged work done.
  if (i === 0) {
    first = { total: t2 - t0, helm: Math.max(...renders.map((r) => r.ms.helm)) };
    continue;
  }
  samples.config.push(t1 - t0);
  samples.values.push(renders.reduce((n, r) => n + r.ms.values, 0));
  // The two charts render in parallel: the slower of each phase is what the user waits for.
  samples.helm.push(Math.max(...renders.map((r) => r.ms.helm)));
  samples.validate.push(Math.max(...renders.map((r) => r.ms.validate)));
  samples.total.push(t2 - t0);
}

// Validation as a first render pays it (the cache above skips unchanged manifests).
const { validateUncached } = await import("../dist/charts/validate.js");
const { crdSchemas } = await import("../dist/charts/crd-schema.js");
const manifests = (await renderProfile(loadConfig({ cwd: hello, profile: "local" }), { repository: "localhost:5001/hello", tag: "src-bench" })).flatMap((r) => r.resources.map((x) => x.object));
const uncached = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  await validateUncached(manifests, { crds: crdSchemas(manifests) });
  uncached.push(performance.now() - t);
}

const wall = [];
for (let i = 0; i < Math.max(3, Math.floor(runs / 2)); i++) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(root, "bin", "devstack.js"), "render", "--profile", "local", "--json"], { cwd: hello, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  wall.push(performance.now() - t);
}

const result = {
  bench: "render",
  runs,
  config_and_image_tag_ms_median: median(samples.config),
  values_ms_median: median(samples.values),
  helm_template_ms_median: median(samples.helm),
  validate_ms_median: median(samples.validate),
  validate_uncached_ms_median: median(uncached),
  without_helm_ms_median: median(samples.config.map((c, i) => c + samples.values[i] + samples.validate[i])),
  with_helm_ms_median: median(samples.total),
  cli_wall_ms_median: median(wall),
  first_render_ms: Math.round(first.total),
  first_render_helm_ms: Math.round(first.helm),
  platform_subcharts: process.env.DEVSTACK_PLATFORM_CHARTS ? "real" : "skipped (offline)",
};
console.log(`in-process, warm (median of ${runs}):`);
console.log(`  config + image tag   ${result.config_and_image_tag_ms_median} ms`);
console.log(`  values               ${result.values_ms_median} ms`);
console.log(`  helm template        ${result.helm_template_ms_median} ms (both charts, in parallel)`);
console.log(`  schema validation    ${result.validate_ms_median} ms cached, ${result.validate_uncached_ms_median} ms uncached (${manifests.length} manifests)`);
console.log(`  without helm         ${result.without_helm_ms_median} ms`);
console.log(`  with helm            ${result.with_helm_ms_median} ms`);
console.log(`devstack render --json, fresh process: ${result.cli_wall_ms_median} ms`);
console.log(`first render (nothing cached): ${result.first_render_ms} ms, of which helm ${result.first_render_helm_ms} ms; platform subcharts ${result.platform_subcharts}`);
console.log(JSON.stringify(result));
