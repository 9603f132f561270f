import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync } from "hyparquet";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../support/cli.js";
import { tempDirs } from "../support/temp.js";

// Issue 17 point 5: `devstack export --query` streams its result (or writes it
// to a file with --query-out), with memory bounded: over 1M rows it stays under
// 512 MB RSS. The exports here are written by DuckDB itself, laid out as a
// directory destination lays them out (<root>/<export>/exported_at=.../*.parquet),
// so no database is needed: --query never connects to one.

const ROWS = 1_000_000;
const LIMIT_KB = 512 * 1024;
const tempDir = tempDirs();

interface Streamed {
  code: number | null;
  /** Lines on stdout, counted as they pass: the test holds none but the first and last few. */
  lines: number;
  head: string[];
  tail: string[];
  stderr: string;
  /** The CLI's peak RSS in KB, as the process itself saw it at exit. */
  maxRssKb: number;
}

/** Reports the process's peak RSS on stderr at exit; loaded before the CLI, in the same process. */
const RSS_PROBE = `data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss-kb="+process.resourceUsage().maxRSS+"\\n"))`;

function runCli(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", RSS_PROBE, BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let lines = 0;
    let partial = "";
    const head: string[] = [];
    let tail: string[] = [];
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      lines += parts.length;
      for (const p of parts) if (head.length < 5) head.push(p);
      tail = [...tail, ...parts.slice(-5)].slice(-5);
    });
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (partial) {
        lines += 1;
        tail = [...tail, partial].slice(-5);
      }
      const rss = /maxrss-kb=(\d+)/.exec(stderr);
      resolve({ code, lines, head, tail, stderr, maxRssKb: rss ? Number(rss[1]) : NaN });
    });
  });
}

describe("devstack export --query over 1M exported rows", () => {
  let work: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = tempDir("devstack-export-query-");
    const dest = join(work, "dest");
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      // Two runs' partitions, as two incremental exports would leave them.
      for (const [partition, from, to] of [["exported_at=2026-01-01T00-00-00.000Z", 0, ROWS / 2], ["exported_at=2026-01-02T00-00-00.000Z", ROWS / 2, ROWS]] as const) {
        mkdirSync(join(dest, "big", partition), { recursive: true });
        await connection.run(
          `COPY (SELECT range AS id, 'customer-' || range || '@example.com' AS email, (range % 1000) / 10.0 AS amount, TIMESTAMPTZ '2026-01-01' + range * INTERVAL 1 SECOND AS updated_at FROM range(${from}, ${to})) TO '${join(dest, "big", partition, "part-0.parquet")}' (FORMAT parquet)`,
        );
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    // The CronJob's way in: a job config naming the export and its destination; --query reads it and connects to nothing.
    const config = join(work, "job.json");
    writeFileSync(config, JSON.stringify({ app: "shop", profile: "test", databaseEnv: "DATABASE_URL", exports: { big: { table: "big", cursor: "updated_at" } }, destination: dest }));
    env = { DEVSTACK_EXPORT_CONFIG: config, DATABASE_URL: "postgres://nobody:nothing@127.0.0.1:1/none", DEVSTACK_HOME: join(work, "home") };
  }, 60_000);

  it("prints a table chunk by chunk, every row, under 512 MB", async () => {
    const r = await runCli(["export", "--query", "SELECT * FROM big"], env, work);
    expect(r.code, r.stderr).toBe(0);
    // The header, a line per row, the count.
    expect(r.lines).toBe(ROWS + 2);
    expect(r.head[0]).toMatch(/^id\s+email\s+amount\s+updated_at\s+exported_at$/);
    expect(r.head[1]).toMatch(/^0\s+customer-0@example\.com\s+0\s+2026-01-01 00:00:00\+00\s+2026-01-01T00-00-00\.000Z$/);
    expect(r.tail.at(-1)).toBe("1,000,000 rows");
    process.stderr.write(`export --query, 1M rows as a table: peak RSS ${Math.round(r.maxRssKb / 1024)} MB\n`);
    expect(r.maxRssKb).toBeLessThan(LIMIT_KB);
  }, 60_000);

  it("with --json streams a row event per row, then the result line with the count, under 512 MB", async () => {
    const r = await runCli(["export", "--query", "SELECT * FROM big", "--json"], env, work);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toBe(ROWS + 1);
    expect(JSON.parse(r.head[0] as string)).toEqual({
      type: "event",
      event: "row",
      row: { id: "0", email: "customer-0@example.com", amount: 0, updated_at: "2026-01-01 00:00:00+00", exported_at: "2026-01-01T00-00-00.000Z" },
    });
    expect(JSON.parse(r.tail.at(-1) as string)).toEqual({ type: "result", command: "export", query: "SELECT * FROM big", columns: ["id", "email", "amount", "updated_at", "exported_at"], rows: ROWS });
    process.stderr.write(`export --query --json, 1M rows: peak RSS ${Math.round(r.maxRssKb / 1024)} MB\n`);
    expect(r.maxRssKb).toBeLessThan(LIMIT_KB);
  }, 60_000);

  it("with --query-out writes Parquet through DuckDB, atomically, and says what it wrote", async () => {
    const file = join(work, "results", "all.parquet");
    const r = await runCli(["export", "--query", "SELECT * FROM big ORDER BY id DESC;", "--query-out", file, "--json"], env, work);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toBe(1);
    const result = JSON.parse(r.head[0] as string) as Record<string, unknown>;
    expect(result).toMatchObject({ type: "result", command: "export", columns: ["id", "email", "amount", "updated_at", "exported_at"], rows: ROWS, file, format: "parquet", bytes: statSync(file).size });
    // Nothing but the file: the temporary name it was written under is gone.
    expect(readdirSync(join(work, "results"))).toEqual(["all.parquet"]);
    // Another reader (hyparquet, not DuckDB) finds every row in it.
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
    expect(Number(metadata.num_rows)).toBe(ROWS);
    process.stderr.write(`export --query --query-out all.parquet, 1M rows: peak RSS ${Math.round(r.maxRssKb / 1024)} MB\n`);
    expect(r.maxRssKb).toBeLessThan(LIMIT_KB);
  }, 60_000);

  it("with --query-out writes CSV with a header; a failing query leaves no file", async () => {
    const file = join(work, "top.csv");
    const r = await runCli(["export", "--query", "SELECT id, email FROM big WHERE id < 3 ORDER BY id", "--query-out", file], env, work);
    expect(r.code, r.stderr).toBe(0);
    expect(r.head[0]).toMatch(/^3 rows → .*top\.csv \(csv, \d+ bytes\)$/);
    expect(readFileSync(file, "utf8")).toBe("id,email\n0,customer-0@example.com\n1,customer-1@example.com\n2,customer-2@example.com\n");

    const bad = join(work, "bad.csv");
    const failed = await runCli(["export", "--query", "SELECT nope FROM big", "--query-out", bad], env, work);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/the query failed: Binder Error/);
    expect(existsSync(bad)).toBe(false);
  }, 60_000);

  it("--out with a file name is refused with --query: it names the exports to read, --query-out the file to write", async () => {
    const r = await runCli(["export", "--query", "SELECT 1", "--out", "result.csv"], env, work);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/use --query-out result\.csv/);
  }, 60_000);
});
