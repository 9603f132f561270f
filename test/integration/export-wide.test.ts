import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { devstackAsync, jsonResult } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { readParquet } from "../support/parquet.js";
import { findPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";

const postgres = findPostgres();
const MiB = 1024 * 1024;

/**
 * Peak RSS of the whole `devstack export` process: DuckDB's 256 MiB cap (raised
 * to about four times the row for a chunk with a row over 8 MiB), Node, pg and
 * the buffers of two readers. Measured 340–490 MB for every case below (2 cores, 3 DuckDB threads).
 */
const MAX_RSS_MB = 640;

/** Wide rows: text that COPY must quote (tab, newline, quote, backslash), TOASTed out of line uncompressed. */
const CASES = [
  { table: "w10k", rows: 10_000, size: 10_000 },
  { table: "w100k", rows: 2_000, size: 100_000 },
  { table: "w1m", rows: 400, size: 1_000_000 },
  { table: "w64m", rows: 1, size: 64 * MiB },
] as const;

describeWithEngine("PostgreSQL", "missing" in postgres ? postgres.missing : undefined, "devstack export of wide rows, in bounded memory", () => {
  let pg: TestPostgres;
  let url: string;
  let work: string;

  beforeAll(async () => {
    pg = await startPostgres((postgres as { bin: string }).bin);
    url = pg.database("shop", "shop-test-password");
    work = mkdtempSync(join(tmpdir(), "devstack-export-wide-"));
    const unit = `md5(g::text) || E'\\t"\\\\\\n\\r'`; // 37 bytes: 32 hex and five that CSV must quote
    for (const c of CASES) {
      pg.sql(
        `SET ROLE shop; CREATE TABLE ${c.table} (id int PRIMARY KEY, note text, updated_at timestamptz NOT NULL DEFAULT now()); ALTER TABLE ${c.table} ALTER note SET STORAGE EXTERNAL;
         INSERT INTO ${c.table} SELECT g, left(repeat(${unit}, ${Math.ceil(c.size / 37)}), ${c.size}) FROM generate_series(1, ${c.rows}) g;`,
        "shop",
      );
    }
  });

  afterAll(() => {
    pg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each(CASES)("exports $rows rows of $size bytes of text, values intact, under the RSS bound", async (c) => {
    const out = join(work, `out-${c.table}`);
    const config = join(work, `${c.table}.json`);
    writeFileSync(config, JSON.stringify({ app: "shop", profile: "test", databaseEnv: "DATABASE_URL", destination: out, exports: { [c.table]: { table: c.table, cursor: "updated_at" } } }));
    const run = await devstackAsync(["export", "--full", "--json"], { cwd: work, env: { DEVSTACK_EXPORT_CONFIG: config, DATABASE_URL: url } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const result = jsonResult<{ exports: { rows: number; files: string[] }[]; maxRssMb: number }>(run.stdout);
    const exported = result.exports[0];
    expect(exported?.rows).toBe(c.rows);
    process.stderr.write(`export-wide: ${c.table} (${c.rows} × ${c.size} B) in ${exported?.files.length} part(s), peak RSS ${result.maxRssMb} MB\n`);
    expect(result.maxRssMb).toBeLessThan(MAX_RSS_MB);

    // Each value's length and MD5, in order, hashed: Postgres's side against the Parquet's.
    const digest = "count(*) AS n, sum(length(note)) AS chars, md5(string_agg(md5(note), '' ORDER BY id)) AS hash";
    const [n, chars, hash] = pg.sql(`SELECT ${digest} FROM ${c.table}`, "shop").trim().split("|");
    const [back] = await readParquet(exported?.files ?? [], `SELECT ${digest} FROM parquet`);
    expect({ n: String(back?.n), chars: String(back?.chars), hash: back?.hash }).toEqual({ n, chars, hash });
  }, 60_000);
});
