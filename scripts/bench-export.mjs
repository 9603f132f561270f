#!/usr/bin/env node
// devstack export against the two ways of getting the same rows out by hand,
// on one realistic table of BENCH_ROWS rows (default 1,000,000), in one run:
//   ceiling  COPY (SELECT ...) TO STDOUT into /dev/null: Postgres formatting, nothing else
//   psql     \copy ... TO a CSV file: what a user would do by hand
//   devstack devstack export --full to a directory: Postgres → Parquet (zstd), watermark, fsync
// Each is run BENCH_RUNS times (default 3); the medians are reported.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ordersSql } from "./lib/orders-table.mjs";
import { findPostgres, startPostgres } from "./lib/postgres.mjs";
import { median } from "./lib/standin-project.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "devstack.js");
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const found = findPostgres();
if ("missing" in found) {
  console.error(`bench:export needs PostgreSQL: ${found.missing}`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "devstack-bench-export-"));
const pg = await startPostgres(found.bin);
try {
  const password = "bench-only-password";
  const url = pg.database("shop", password);
  let t = performance.now();
  pg.sql(`SET ROLE shop; ${ordersSql(rows)}`, "shop");
  console.error(`table: ${rows.toLocaleString("en-US")} rows of orders in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  pg.sql("VACUUM (ANALYZE) orders", "shop");

  const psql = join(found.bin, "psql");
  const env = { ...process.env, PGPASSWORD: password };
  const conn = ["-h", "127.0.0.1", "-p", String(pg.port), "-U", "shop", "-d", "shop", "-X", "-q", "-v", "ON_ERROR_STOP=1"];
  const timed = (label, command, args, options = {}) => {
    const start = performance.now();
    const r = spawnSync(command, args, { env, maxBuffer: 1 << 20, ...options });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr?.toString()}`);
    return { ms, r };
  };

  const results = { ceiling: [], psql: [], devstack: [] };
  let parquetBytes = 0;
  let csvBytes = 0;
  let peakMb = 0;
  for (let i = 0; i < runs; i++) {
    // Same connection path for all three: TCP to 127.0.0.1 with SCRAM, as the app connects.
    results.ceiling.push(timed("COPY TO STDOUT", psql, [...conn, "-c", "COPY (SELECT * FROM orders) TO STDOUT"], { stdio: ["ignore", "ignore", "pipe"] }).ms);
    const csv = join(work, "orders.csv");
    results.psql.push(timed("psql \\copy", psql, [...conn, "-c", `\\copy orders TO '${csv}' WITH (FORMAT csv, HEADER)`], { stdio: ["ignore", "ignore", "pipe"] }).ms);
    csvBytes = statSync(csv).size;
    rmSync(csv);

    const config = join(work, "job.json");
    const out = join(work, `out-${i}`);
    writeFileSync(config, JSON.stringify({ app: "shop", profile: "bench", databaseEnv: "DATABASE_URL", destination: out, exports: { orders: { table: "orders", cursor: "updated_at" } } }));
    const { ms, r } = timed("devstack export", process.execPath, [bin, "export", "--full", "--json"], {
      cwd: work,
      env: { ...process.env, DEVSTACK_EXPORT_CONFIG: config, DATABASE_URL: url },
      encoding: "utf8",
    });
    const done = JSON.parse(r.stdout.trim().split("\n").at(-1));
    if (done.exports[0].rows !== rows) throw new Error(`devstack exported ${done.exports[0].rows} rows, not ${rows}`);
    results.devstack.push(ms);
    parquetBytes = done.exports[0].parquetBytes;
    peakMb = Math.max(peakMb, done.maxRssMb);
    rmSync(out, { recursive: true, force: true });
    const s = (x) => (x / 1000).toFixed(2);
    console.error(`run ${i + 1}/${runs}: ceiling ${s(results.ceiling[i])} s, psql \\copy ${s(results.psql[i])} s, devstack export ${s(ms)} s (whole command, process start included)`);
  }

  const rate = (samples) => Math.round((rows * 1000) / median(samples));
  const figures = {
    bench: "export",
    rows,
    runs,
    copy_ceiling_rows_per_s: rate(results.ceiling),
    psql_copy_csv_rows_per_s: rate(results.psql),
    devstack_export_rows_per_s: rate(results.devstack),
    devstack_vs_ceiling_pct: Math.round((100 * median(results.ceiling)) / median(results.devstack)),
    devstack_ms_median: median(results.devstack),
    csv_mb: Math.round(csvBytes / 1024 / 1024),
    parquet_mb: Math.round(parquetBytes / 1024 / 1024),
    devstack_peak_rss_mb: peakMb,
  };
  console.log(JSON.stringify(figures));
} finally {
  pg.stop();
  rmSync(work, { recursive: true, force: true });
}
