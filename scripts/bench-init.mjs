#!/usr/bin/env node
// How close `devstack init` comes to the config a careful engineer would
// write, over the corpus in test/fixtures/init (scripts/lib/init-corpus.mjs
// says how fields are counted). A table per app, then, as the last line, one
// JSON object for machines. BENCH_VERBOSE=1 lists every differing field;
// BENCH_KEEP=1 leaves the temporary copies for a look.
import { runCorpus } from "./lib/init-corpus.mjs";

const verbose = process.env.BENCH_VERBOSE === "1";
const keep = process.env.BENCH_KEEP === "1";
const t0 = performance.now();
const { results, totals } = await runCorpus({ keep });
const seconds = ((performance.now() - t0) / 1000).toFixed(1);

const code = (r) => (r === undefined ? "-" : String(r.code));
const rows = results.map((r) => [r.name, String(r.init.code), r.written ? (r.valid === false ? "invalid" : "yes") : "no", String(r.differences.length), String(r.differences.filter((d) => !d.flagged).length), code(r.render), code(r.diff)]);
const head = ["app", "init", "written", "differ", "unflagged", "render", "diff"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
console.log(line(head));
for (const row of rows) console.log(line(row));
console.log(`${totals.differences} fields differ (${totals.unflagged} not flagged as guesses) over ${totals.apps} apps; ${seconds} s`);

if (verbose) {
  for (const r of results) {
    if (r.dir) console.log(`\n${r.name}: ${r.dir}`);
    else console.log(`\n${r.name}:`);
    if (r.init.error) console.log(`  init failed: ${r.init.error.message}${r.init.error.fix ? ` (fix: ${r.init.error.fix})` : ""}`);
    for (const p of r.problems) console.log(`  invalid: ${p}`);
    for (const d of r.differences) console.log(`  ${d.flagged ? "guess " : "      "}${d.kind.padEnd(7)} ${d.path || "(all)"}: expected ${JSON.stringify(d.expected)}, wrote ${JSON.stringify(d.actual)}`);
    if (r.render && r.render.code !== 0) console.log(`  render exit ${r.render.code}: ${r.render.output.trim().split("\n").slice(-3).join(" | ")}`);
    if (r.diff && r.diff.code !== 0) console.log(`  diff exit ${r.diff.code}: ${r.diff.output.trim().split("\n").slice(-3).join(" | ")}`);
  }
}

console.log(
  JSON.stringify({
    bench: "init",
    apps: totals.apps,
    differences: totals.differences,
    unflagged: totals.unflagged,
    per_app: totals.per_app,
    render_ok: totals.render_ok,
    diff_ok: totals.diff_ok,
    written: totals.written,
    seconds: Number(seconds),
  }),
);
