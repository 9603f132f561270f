#!/usr/bin/env node
// devstack export against the two ways of getting the same rows out by hand,
// on one realistic table of BENCH_ROWS rows (default 1,000,000), in one run:
//   ceiling  COPY (SELECT ...) TO STDOUT into /dev/null: Postgres formatting, nothing else
//   psql     \copy ... TO a CSV file: what a user would do by hand
//   devstack devstack export --full to a directory: Postgres → Parquet (zstd), watermark, fsync
// Each is run BENCH_RUNS times (default 3), alone and in turn, so every devstack
// run has a ceiling run right before it; ratios are taken pair by pair and their
// median reported (other work on the machine moves absolute times, less so ratios).
//
// Then, for each size in BENCH_INCREMENTAL_ROWS (default: BENCH_ROWS; e.g.
// "1000000,5000000"), the "nothing new" incremental run: after one full export
// to a directory, `devstack export --json` again with no row changed, timed
// and set against a COPY ceiling of the same table, pair by pair again.
//
// The last line is one JSON object; full_vs_ceiling and incremental_nothing_new_vs_copy_<size>
// are ratios of times (full_vs_ceiling: ceiling / devstack, 1 = as fast as COPY;
// incremental: incremental / ceiling, the share of a full COPY a run with nothing new costs).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ordersSql } from "./lib/orders-table.mjs";
import { findPostgres, startPostgres } from "./lib/postgres.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "devstack.js");
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const incrementalSizes = (process.env.BENCH_INCREMENTAL_ROWS ?? String(rows))
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean)
  .map(Number);
if (!(rows > 0) || !(runs > 0) || incrementalSizes.some((n) => !Number.isInteger(n) || n <= 0)) {
  console.error("BENCH_ROWS and BENCH_RUNS must be positive numbers, BENCH_INCREMENTAL_ROWS a comma-separated list of row counts (empty: none)");
  process.exit(2);
}
const found = findPostgres();
if ("missing" in found) {
  console.error(`bench:export needs PostgreSQL: ${found.missing}`);
  process.exit(1);
}

/** Exact middle of the samples (the mean of the two middle ones for an even count). */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** 1000000 → 1m, 250000 → 250k: the suffix of a size's keys. */
const sizeLabel = (n) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n));
const s = (ms) => (ms / 1000).toFixed(2);
const round3 = (x) => Math.round(x * 1000) / 1000;

const work = mkdtempSync(join(tmpdir(), "devstack-bench-export-"));
const pg = await startPostgres(found.bin);
try {
  const password = "bench-only-password";
  const url = pg.database("shop", password);
  /** Tables made so far, by row count: the main one is orders, others orders_<size>. */
  const tables = new Map();
  const table = (n) => {
    if (tables.has(n)) return tables.get(n);
    const name = tables.size === 0 ? "orders" : `orders_${sizeLabel(n)}`;
    const t = performance.now();
    pg.sql(`SET ROLE shop; ${ordersSql(n, name)}`, "shop");
    pg.sql(`VACUUM (ANALYZE) ${name}`, "shop");
    console.error(`table ${name}: ${n.toLocaleString("en-US")} rows in ${s(performance.now() - t)} s`);
    tables.set(n, name);
    return name;
  };
  table(rows);

  const psql = join(found.bin, "psql");
  const env = { ...process.env, PGPASSWORD: password };
  // Same connection path for all: TCP to 127.0.0.1 with SCRAM, as the app connects.
  const conn = ["-h", "127.0.0.1", "-p", String(pg.port), "-U", "shop", "-d", "shop", "-X", "-q", "-v", "ON_ERROR_STOP=1"];
  const timed = (label, command, args, options = {}) => {
    const start = performance.now();
    const r = spawnSync(command, args, { env, maxBuffer: 16 << 20, ...options });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr?.toString()}`);
    return { ms, r };
  };
  const ceiling = (name) => timed("COPY TO STDOUT", psql, [...conn, "-c", `COPY (SELECT * FROM ${name}) TO STDOUT`], { stdio: ["ignore", "ignore", "pipe"] }).ms;
  /** One devstack export of `name` to `out`; --full when asked. Returns its time and its --json result. */
  const exportRun = (name, out, full) => {
    const config = join(work, `job-${name}.json`);
    writeFileSync(config, JSON.stringify({ app: "shop", profile: "bench", databaseEnv: "DATABASE_URL", destination: out, exports: { orders: { table: name, cursor: "updated_at" } } }));
    const { ms, r } = timed("devstack export", process.execPath, [bin, "export", ...(full ? ["--full"] : []), "--json"], {
      cwd: work,
      env: { ...process.env, DEVSTACK_EXPORT_CONFIG: config, DATABASE_URL: url },
      encoding: "utf8",
    });
    return { ms, done: JSON.parse(r.stdout.trim().split("\n").at(-1)) };
  };

  const results = { ceiling: [], psql: [], devstack: [], ratio: [] };
  let parquetBytes = 0;
  let csvBytes = 0;
  let peakMb = 0;
  for (let i = 0; i < runs; i++) {
    results.ceiling.push(ceiling("orders"));
    const csv = join(work, "orders.csv");
    results.psql.push(timed("psql \\copy", psql, [...conn, "-c", `\\copy orders TO '${csv}' WITH (FORMAT csv, HEADER)`], { stdio: ["ignore", "ignore", "pipe"] }).ms);
    csvBytes = statSync(csv).size;
    rmSync(csv);

    const out = join(work, `out-${i}`);
    const { ms, done } = exportRun("orders", out, true);
    if (done.exports[0].rows !== rows) throw new Error(`devstack exported ${done.exports[0].rows} rows, not ${rows}`);
    results.devstack.push(ms);
    results.ratio.push(results.ceiling[i] / ms);
    parquetBytes = done.exports[0].parquetBytes;
    peakMb = Math.max(peakMb, done.maxRssMb);
    rmSync(out, { recursive: true, force: true });
    console.error(
      `run ${i + 1}/${runs}: ceiling ${s(results.ceiling[i])} s, psql \\copy ${s(results.psql[i])} s, devstack export ${s(ms)} s (whole command, process start included), ` +
        `full/ceiling ${results.ratio[i].toFixed(2)}, peak RSS ${done.maxRssMb} MB`,
    );
  }

  // Incremental with nothing new: one full export leaves the watermark, then runs that find no row.
  const incremental = {};
  const peakBySize = { [sizeLabel(rows)]: peakMb };
  for (const n of incrementalSizes) {
    const name = table(n);
    const label = sizeLabel(n);
    const out = join(work, `incremental-${label}`);
    const first = exportRun(name, out, true);
    if (first.done.exports[0].rows !== n) throw new Error(`devstack exported ${first.done.exports[0].rows} rows of ${name}, not ${n}`);
    peakBySize[label] = Math.max(peakBySize[label] ?? 0, first.done.maxRssMb);
    const copyMs = [];
    const incMs = [];
    const shares = [];
    for (let i = 0; i < runs; i++) {
      copyMs.push(ceiling(name));
      const { ms, done } = exportRun(name, out, false);
      const e = done.exports[0];
      if (e.mode !== "incremental" || e.rows !== 0) throw new Error(`the run with nothing new was ${e.mode} with ${e.rows} rows, not incremental with 0`);
      incMs.push(ms);
      shares.push(ms / copyMs[i]);
      console.error(`incremental ${label} ${i + 1}/${runs}: nothing new ${s(ms)} s (whole command), COPY ceiling ${s(copyMs[i])} s, share ${shares[i].toFixed(3)}, full export before: ${s(first.ms)} s`);
    }
    incremental[label] = { share: median(shares), ms: median(incMs), copyMs: median(copyMs), fullVsCeiling: median(copyMs) / first.ms };
    rmSync(out, { recursive: true, force: true });
  }

  const rate = (samples) => Math.round((rows * 1000) / median(samples));
  const fullVsCeiling = median(results.ratio);
  const figures = {
    bench: "export",
    rows,
    runs,
    full_vs_ceiling: round3(fullVsCeiling),
    peak_rss_mb: peakMb,
    copy_ceiling_rows_per_s: rate(results.ceiling),
    psql_copy_csv_rows_per_s: rate(results.psql),
    devstack_export_rows_per_s: rate(results.devstack),
    devstack_vs_ceiling_pct: Math.round(100 * fullVsCeiling),
    ceiling_ms_median: Math.round(median(results.ceiling)),
    devstack_ms_median: Math.round(median(results.devstack)),
    csv_mb: Math.round(csvBytes / 1024 / 1024),
    parquet_mb: Math.round(parquetBytes / 1024 / 1024),
    devstack_peak_rss_mb: peakMb,
    peak_rss_mb_by_rows: peakBySize,
    // Stable keys for the two sizes issue 17 asks about; null when BENCH_INCREMENTAL_ROWS left one out.
    incremental_nothing_new_vs_copy_1m: null,
    incremental_nothing_new_vs_copy_5m: null,
  };
  for (const [label, r] of Object.entries(incremental)) {
    figures[`incremental_nothing_new_vs_copy_${label}`] = round3(r.share);
    figures[`incremental_nothing_new_ms_${label}`] = Math.round(r.ms);
    figures[`copy_ceiling_ms_${label}`] = Math.round(r.copyMs);
    if (label !== sizeLabel(rows)) figures[`full_vs_ceiling_${label}`] = round3(r.fullVsCeiling);
  }
  console.log(JSON.stringify(figures));
} finally {
  pg.stop();
  rmSync(work, { recursive: true, force: true });
}
