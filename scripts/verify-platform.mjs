#!/usr/bin/env node
// Checks charts/platform against its seven subcharts at their pinned versions:
//   npm run verify:platform -- DIR      (DIR holds <name>-<version>.tgz, as `helm pull` writes them)
// For every built-in profile, with examples/hello and a minimal app, both
// install passes: helm lint --strict, strict validation of every object
// (custom resources against the CRDs the charts ship), resources on every
// container, every image moved by images.mirror, every value key devstack
// sets known to its chart. The last line is one JSON object of counts.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = resolve(process.argv[2] ?? process.env.DEVSTACK_PLATFORM_CHARTS ?? "");
if (!process.argv[2] && !process.env.DEVSTACK_PLATFORM_CHARTS) {
  console.error("usage: npm run verify:platform -- DIR   (a directory of the subchart packages; the README says how to fill it)");
  process.exit(2);
}
if (!existsSync(dir)) {
  console.error(`no such directory: ${dir}`);
  process.exit(2);
}
const { loadConfig } = await import("../dist/config/resolve.js");
const { verifyPlatform, verificationOk } = await import("../dist/charts/verify-platform.js");
const apps = [join(root, "examples", "hello"), join(root, "test", "fixtures", "minimal")];
const configs = apps.flatMap((cwd) => ["local", "prod"].map((profile) => loadConfig({ cwd, profile })));
const started = performance.now();
const result = await verifyPlatform({ dir, configs, progress: (line) => console.error(`· ${line}`) });
for (const f of result.findings) console.error(`✗ [${f.check}] ${f.where}: ${f.message}`);
const { findings, ...counts } = result;
console.log(JSON.stringify({ ...counts, findings: findings.length, ms: Math.round(performance.now() - started) }));
process.exit(verificationOk(result) ? 0 : 1);
