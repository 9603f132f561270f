import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BIN, devstack } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { readParquet } from "../support/parquet.js";
import { findPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";
import { readStoreIn } from "../support/store.js";
import { ordersSql } from "../../scripts/lib/orders-table.mjs";

const postgres = findPostgres();

interface RunResult {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a child that does not block the test's event loop, so the test can act while it runs. */
function devstackAsync(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ pid: child.pid as number, code, signal, stdout, stderr }));
  });
}

/** The pid in a run's work directory name (devstack-export-<pid>-…). */
/** What is in a run's temporary directory, but for Node's compile cache (kept there on purpose, shared by every Node program). */
const leftIn = (tmp: string) => readdirSync(tmp).filter((f) => f !== "node-compile-cache");
const pidOf = (tmp: string) => Number(/^devstack-export-(\d+)-/.exec(readdirSync(tmp).find((f) => f.startsWith("devstack-export-")) ?? "")?.[1]);

describeWithEngine("PostgreSQL", "missing" in postgres ? postgres.missing : undefined, "devstack export, the command, against a real Postgres", () => {
  let pg0: TestPostgres;
  let url: string;
  let work: string;
  const exportsOf = (spec: Record<string, unknown>) => ({ app: "shop", profile: "test", databaseEnv: "DATABASE_URL", ...spec });

  /** Runs the command as the CronJob does: the job config names the exports, the URL comes from the environment. */
  function jobEnv(name: string, exports: Record<string, unknown>, destination: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify(exportsOf({ exports, destination })));
    return { DEVSTACK_EXPORT_CONFIG: file, DATABASE_URL: url, ...extra };
  }

  const json = (r: { stdout: string; stderr: string; code: number | null }) => {
    expect(r.code, r.stderr).toBe(0);
    // With --json, progress events come first, one per line; the result is the last line.
    return JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as { exports: { rows: number; files: string[]; to?: string; from?: string; mode: string; warnings: string[] }[]; maxRssMb: number };
  };

  const dirParquet = (dir: string) =>
    existsSync(dir) ? (readdirSync(dir, { recursive: true, encoding: "utf8" }) as string[]).filter((f) => f.endsWith(".parquet") && !f.split("/").some((p) => p.startsWith("."))).map((f) => join(dir, f)) : [];

  beforeAll(async () => {
    pg0 = await startPostgres((postgres as { bin: string }).bin);
    url = pg0.database("shop", "shop-test-password");
    work = mkdtempSync(join(tmpdir(), "devstack-export-cli-"));
  });

  afterAll(() => {
    pg0?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("exports everything first, then only what changed, then nothing; --query reads it back", () => {
    pg0.sql(`SET ROLE shop; ${ordersSql(1000, "inc")}`, "shop");
    const out = join(work, "inc-out");
    const env = jobEnv("inc", { inc: { table: "inc", cursor: "updated_at" } }, out);
    const first = json(devstack(["export", "--json"], { env, cwd: work }));
    expect(first.exports[0]).toMatchObject({ rows: 1000, mode: "full", to: "2026-01-01 00:16:40+00" });

    pg0.sql("UPDATE inc SET status = 'refunded', updated_at = '2026-02-01 00:00:00+00' WHERE id IN (5, 6); INSERT INTO inc (public_id, customer_email, status, amount, currency, items, created_at, updated_at) VALUES (gen_random_uuid(), 'new@example.com', 'paid', 1.00, 'EUR', '[]', now(), '2026-02-01 00:00:01+00')", "shop");
    const second = json(devstack(["export", "inc", "--json"], { env, cwd: work }));
    expect(second.exports[0]).toMatchObject({ rows: 3, mode: "incremental", from: "2026-01-01 00:16:40+00", to: "2026-02-01 00:00:01+00" });

    const third = json(devstack(["export", "--json"], { env, cwd: work }));
    expect(third.exports[0]).toMatchObject({ rows: 0, files: [] });
    expect(dirParquet(join(out, "inc"))).toHaveLength(2);

    const q = devstack(["export", "--query", "SELECT count(*) AS n, count(DISTINCT id) AS ids, count(DISTINCT exported_at) AS runs, max(status) FILTER (WHERE id = 5) AS s FROM inc", "--json"], { env, cwd: work });
    expect(q.code, q.stderr).toBe(0);
    // --json streams each row as a `row` event; the result line after them counts them.
    const lines = q.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; row?: unknown; rows?: number });
    expect(lines.filter((l) => l.type === "event").map((l) => l.row)).toEqual([{ n: "1003", ids: "1001", runs: "2", s: "refunded" }]);
    expect(lines.at(-1)).toMatchObject({ type: "result", rows: 1 });
    const text = devstack(["export", "--query", "SELECT status, count(*) AS n FROM inc GROUP BY 1 ORDER BY 1"], { env, cwd: work });
    expect(text.stdout).toMatch(/refunded\s+252/);
  });

  it("a crash between the files and the watermark re-exports the same rows next time, never skips them", async () => {
    pg0.sql(`SET ROLE shop; ${ordersSql(500, "crash")}`, "shop");
    const out = join(work, "crash-out");
    const env = jobEnv("crash", { crash: { table: "crash", cursor: "updated_at" } }, out);
    json(devstack(["export", "--json"], { env, cwd: work }));
    const watermark = readFileSync(join(out, "crash", "_watermark.json"), "utf8");

    pg0.sql("UPDATE crash SET updated_at = '2026-03-01 00:00:00+00', note = 'changed' WHERE id <= 10", "shop");
    // The run's own temporary directory, so what a killed run leaves there is seen.
    const tmp = join(work, "crash-tmp");
    mkdirSync(tmp, { recursive: true });
    // Stopped by SIGTERM (a CronJob's pod going away) mid-run: its work directory goes with it.
    const stopping = devstackAsync(["export", "--json"], { ...env, TMPDIR: tmp, DEVSTACK_PAUSE: "export:after-snapshot", DEVSTACK_PAUSE_MS: "20000" }, work);
    for (let i = 0; i < 200 && !readdirSync(tmp).some((f) => f.startsWith("devstack-export-")); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(tmp).filter((f) => f.startsWith("devstack-export-"))).toHaveLength(1);
    process.kill(pidOf(tmp), "SIGTERM");
    expect((await stopping).code).toBe(143);
    expect(leftIn(tmp)).toEqual([]);

    const killed = await devstackAsync(["export", "--json"], { ...env, TMPDIR: tmp, DEVSTACK_FAULT: "export:before-watermark" }, work);
    expect(killed.signal).toBe("SIGKILL");
    expect(readdirSync(tmp).filter((f) => f.startsWith("devstack-export-"))).toHaveLength(1);
    // A watermark write killed between its temporary file and the rename, and a part never renamed.
    writeFileSync(join(out, "crash", `_watermark.json.${killed.pid}.0badc0de.tmp`), "{}");
    mkdirSync(join(out, "crash", "exported_at=killed"));
    writeFileSync(join(out, "crash", "exported_at=killed", ".part-00000.parquet.tmp"), "");
    // The files of the killed run are complete and in place; the watermark has not moved.
    expect(readFileSync(join(out, "crash", "_watermark.json"), "utf8")).toBe(watermark);
    const afterCrash = dirParquet(join(out, "crash"));
    expect(afterCrash).toHaveLength(2);
    expect(await readParquet(afterCrash, "SELECT count(*) AS n FROM parquet WHERE note = 'changed'")).toEqual([{ n: "10" }]);

    const rerun = json(devstack(["export", "--json"], { env: { ...env, TMPDIR: tmp }, cwd: work }));
    expect(rerun.exports[0]).toMatchObject({ rows: 10, to: "2026-03-01 00:00:00+00" });
    // The next run removed what the killed one left, and left nothing of its own.
    expect(leftIn(tmp)).toEqual([]);
    expect((readdirSync(join(out, "crash"), { recursive: true, encoding: "utf8" }) as string[]).filter((f) => f.endsWith(".tmp") || f.includes("killed"))).toEqual([]);
    // At least once: the ten rows are there twice, and the row key deduplicates them.
    const all = dirParquet(join(out, "crash"));
    expect(await readParquet(all, "SELECT count(*) AS n, count(DISTINCT (id, updated_at)) AS versions, count(DISTINCT id) AS ids FROM parquet")).toEqual([{ n: "520", versions: "510", ids: "500" }]);
  });

  it("rows changed while an export runs, or by a transaction open when it started, are caught by the next run", async () => {
    pg0.sql(`SET ROLE shop; ${ordersSql(300_000, "busy")}`, "shop");
    const out = join(work, "busy-out");
    const env = jobEnv("busy", { busy: { table: "busy", cursor: "updated_at" } }, out);

    // A transaction that stamped a row before the export began and commits after it: its updated_at is older
    // than rows the export sees, so only holding the watermark back catches it.
    const slow = new pg.Client({ connectionString: url });
    // The server is stopped after the tests; a connection that sees that must not fail the run.
    slow.on("error", () => {});
    await slow.connect();
    await slow.query("BEGIN");
    await slow.query("UPDATE busy SET note = 'slow', updated_at = now() WHERE id = 1");
    const fast = new pg.Client({ connectionString: url });
    fast.on("error", () => {});
    await fast.connect();
    await fast.query("UPDATE busy SET note = 'fast', updated_at = now() WHERE id = 2");

    const running = devstackAsync(["export", "--json"], env, work);
    // Wait until the export is inside its COPY, then change rows under it.
    for (let i = 0; i < 400; i++) {
      const { rows } = await fast.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'devstack-export' AND query LIKE 'COPY%'");
      if (rows[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await fast.query("UPDATE busy SET note = 'during', updated_at = now() WHERE id IN (3, 150000, 299999)");
    await slow.query("COMMIT");
    const first = json(await running);
    expect(first.exports[0]?.rows).toBe(300_000);

    const second = json(devstack(["export", "--json"], { env, cwd: work }));
    expect(second.exports[0]?.rows).toBeGreaterThanOrEqual(4);
    const all = dirParquet(join(out, "busy"));
    // For every row, the newest version in the files is the one in the table.
    const latest = await readParquet(all, "SELECT id, arg_max(note, updated_at) AS note FROM parquet WHERE id IN (1, 2, 3, 150000, 299999) GROUP BY id ORDER BY id");
    expect(latest).toEqual([
      { id: "1", note: "slow" },
      { id: "2", note: "fast" },
      { id: "3", note: "during" },
      { id: "150000", note: "during" },
      { id: "299999", note: "during" },
    ]);
    await slow.end();
    await fast.end();
  }, 120_000);

  it("never skips rows that commit late, whatever the cursor: serial ids, timestamp without zone, dates", async () => {
    pg0.sql(`SET ROLE shop;
      CREATE TABLE ids (id bigserial PRIMARY KEY, v text);
      CREATE TABLE stamps (id bigserial PRIMARY KEY, v text, changed timestamp NOT NULL DEFAULT now());
      CREATE TABLE days (id bigserial PRIMARY KEY, v text, day date NOT NULL DEFAULT current_date);
      INSERT INTO ids (v) VALUES ('a'); INSERT INTO stamps (v) VALUES ('a'); INSERT INTO days (v) VALUES ('a');`, "shop");
    const out = join(work, "late-out");
    const env = jobEnv("late", { ids: { table: "ids", cursor: "id" }, stamps: { table: "stamps", cursor: "changed" }, days: { table: "days", cursor: "day" } }, out);
    json(devstack(["export", "--json"], { env, cwd: work }));

    // A slow transaction takes its id and timestamp first; a fast one after it commits first.
    const slow = new pg.Client({ connectionString: url });
    slow.on("error", () => {});
    await slow.connect();
    await slow.query("BEGIN");
    await slow.query("INSERT INTO ids (v) VALUES ('slow'); INSERT INTO stamps (v) VALUES ('slow'); INSERT INTO days (v) VALUES ('slow')");
    await new Promise((r) => setTimeout(r, 1100));
    pg0.sql("INSERT INTO ids (v) VALUES ('fast'); INSERT INTO stamps (v) VALUES ('fast'); INSERT INTO days (v) VALUES ('fast')", "shop");
    const during = json(devstack(["export", "--json"], { env, cwd: work }));
    // Rows near the watermark may come twice (at least once); the slow row cannot come yet.
    expect(during.exports.every((e) => e.rows >= 1)).toBe(true);
    await slow.query("COMMIT");
    await slow.end();
    json(devstack(["export", "--json"], { env, cwd: work }));
    for (const name of ["ids", "stamps", "days"]) {
      const values = await readParquet(dirParquet(join(out, name)), "SELECT list(DISTINCT v ORDER BY v) AS v FROM parquet");
      expect(values, name).toEqual([{ v: ["a", "fast", "slow"] }]);
    }

    // Changing an old row brings it back once, and the watermark does not move back to it.
    const mark = () => JSON.parse(readFileSync(join(out, "ids", "_watermark.json"), "utf8")).value;
    const before = mark();
    pg0.sql("UPDATE ids SET v = 'changed' WHERE id = 1", "shop");
    expect(json(devstack(["export", "ids", "--json"], { env, cwd: work })).exports[0]?.rows).toBe(1);
    expect(mark()).toBe(before);
    expect(json(devstack(["export", "ids", "--json"], { env, cwd: work })).exports[0]?.rows).toBe(0);
  }, 60_000);

  it("exports a view with an id cursor run after run, warning that late commits need overlap:", () => {
    pg0.sql("SET ROLE shop; CREATE TABLE base (id bigserial PRIMARY KEY, v text NOT NULL); CREATE VIEW recent AS SELECT id, v FROM base; INSERT INTO base (v) VALUES ('a'), ('b');", "shop");
    const env = jobEnv("view", { recent: { table: "recent", cursor: "id", key: ["id"] } }, join(work, "view-out"));
    const first = json(devstack(["export", "--json"], { env, cwd: work }));
    expect(first.exports[0]?.rows).toBe(2);
    expect(first.exports[0]?.warnings.join()).toContain("recent is a view");
    pg0.sql("INSERT INTO base (v) VALUES ('c')", "shop");
    expect(json(devstack(["export", "--json"], { env, cwd: work })).exports[0]?.rows).toBe(1);
  });

  it("--dry-run shows the mapped types and the window, and reads and writes nothing", () => {
    pg0.sql("SET ROLE shop; CREATE TABLE dry (id int PRIMARY KEY, price numeric(8,2), doc jsonb, tags text[], updated_at timestamptz);", "shop");
    const out = join(work, "dry-out");
    const env = jobEnv("dry", { dry: { table: "dry", cursor: "updated_at" } }, out);
    const r = devstack(["export", "--dry-run", "--json"], { env, cwd: work });
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout).exports[0];
    expect(plan).toMatchObject({ mode: "full", key: ["id"], cursor: { column: "updated_at", type: "timestamptz", nullable: true } });
    expect(plan.columns).toEqual([
      { name: "id", postgres: "int4", parquet: "INTEGER" },
      { name: "price", postgres: "numeric", parquet: "DECIMAL(8,2)" },
      { name: "doc", postgres: "jsonb", parquet: "JSON" },
      { name: "tags", postgres: "text[]", parquet: "VARCHAR[]" },
      { name: "updated_at", postgres: "timestamptz", parquet: "TIMESTAMPTZ" },
    ]);
    expect(plan).toMatchObject({ scan: "table" });
    expect(plan.warnings).toEqual([
      "cursor updated_at may be NULL: such rows are exported by --full runs only",
      'no index on updated_at: incremental runs read the whole table; `CREATE INDEX CONCURRENTLY ON dry ("updated_at")` lets them read only what changed',
    ]);
    expect(existsSync(out)).toBe(false);
    const text = devstack(["export", "--dry-run"], { env, cwd: work });
    expect(text.stdout).toMatch(/price\s+numeric\s+DECIMAL\(8,2\)/);
  });

  it("reads ranges on two connections in one snapshot: rows moved by updates after it come exactly once", async () => {
    pg0.sql(`SET ROLE shop; ${ordersSql(60_000, "moving")}`, "shop");
    const out = join(work, "moving-out");
    // The run waits once its snapshot is taken, before the second connection joins it.
    const env = { ...jobEnv("moving", { moving: { table: "moving", cursor: "updated_at" } }, out), DEVSTACK_EXPORT_CHUNK_PAGES: "100", DEVSTACK_EXPORT_READERS: "2", DEVSTACK_PAUSE: "export:after-snapshot", DEVSTACK_PAUSE_MS: "3000" };
    const running = devstackAsync(["export", "--json"], env, work);
    const mover = new pg.Client({ connectionString: url });
    mover.on("error", () => {});
    await mover.connect();
    for (let i = 0; i < 400; i++) {
      const { rows } = await mover.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'devstack-export' AND state = 'idle in transaction' AND backend_xmin IS NOT NULL");
      if (rows[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // Every update writes a new row version elsewhere in the heap: a second snapshot would see rows twice or not at all.
    await mover.query("UPDATE moving SET note = 'moved'");
    await mover.end();
    const done = json(await running);
    expect(done.exports[0]?.rows).toBe(60_000);
    expect(done.exports[0]?.files.length).toBeGreaterThan(2);
    expect(await readParquet(done.exports[0]?.files as string[], "SELECT count(*) AS n, count(DISTINCT id) AS ids, count(*) FILTER (WHERE note = 'moved') AS moved FROM parquet")).toEqual([{ n: "60000", ids: "60000", moved: "0" }]);
  }, 60_000);

  it("streams a table of a million rows with bounded memory", async () => {
    pg0.sql(`SET ROLE shop; ${ordersSql(100_000, "small")} ${ordersSql(1_000_000, "big")}`, "shop");
    const out = join(work, "big-out");
    const env = jobEnv("big", { small: { table: "small", cursor: "updated_at" }, big: { table: "big", cursor: "updated_at" } }, out);
    // Both read in ranges of the small table's size, so each holds one range's worth at a time.
    const chunk = { DEVSTACK_EXPORT_CHUNK_PAGES: "2800" };
    const small = json(devstack(["export", "small", "--json"], { env: { ...env, ...chunk }, cwd: work, timeoutMs: 120_000 }));
    const big = json(devstack(["export", "big", "--json"], { env: { ...env, ...chunk }, cwd: work, timeoutMs: 300_000 }));
    expect(small.exports[0]?.files).toHaveLength(1);
    expect(big.exports[0]?.rows).toBe(1_000_000);
    expect(big.exports[0]?.files.length).toBeGreaterThanOrEqual(10);
    // Ten times the rows (about 200 MB of CSV, 1 GB as JS objects) costs only the second range in flight: nothing holds the table.
    expect(big.maxRssMb - small.maxRssMb, `peak RSS ${small.maxRssMb} MB for 100k rows, ${big.maxRssMb} MB for 1M`).toBeLessThan(160);
    expect(big.maxRssMb).toBeLessThan(450);
    expect(await readParquet(big.exports[0]?.files as string[], "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM parquet")).toEqual([{ n: "1000000", ids: "1000000" }]);
  }, 400_000);

  it("from a laptop: the profile's database endpoint and role from its secret store, to a directory", async () => {
    const project = join(work, "project");
    mkdirSync(join(project, "profiles"), { recursive: true });
    writeFileSync(join(project, "devstack.yaml"), "name: shop\nservice:\n  port: 3000\ndatabase:\n  name: shop\nexports:\n  orders:\n    table: laptop\n    cursor: updated_at\n    columns: [status, amount]\n    where: status <> 'pending'\n");
    writeFileSync(join(project, "Dockerfile"), "FROM scratch\n");
    writeFileSync(join(project, "profiles", "test.yaml"), `cluster:\n  type: k3s\ndomain: localhost\ndatabase:\n  type: external\n  host: 127.0.0.1\n  port: ${pg0.port}\n  sslmode: disable\n`);
    const home = mkdtempSync(join(tmpdir(), "devstack-home-"));
    const env = { DEVSTACK_HOME: home };
    const before = devstack(["export", "--profile", "test", "--out", join(work, "laptop-out")], { env, cwd: project });
    expect(before.code).toBe(1);
    expect(before.stderr).toContain("secrets sync --profile test");
    expect(devstack(["secrets", "sync", "--profile", "test"], { env, cwd: project }).code).toBe(0);
    const snapshot = await readStoreIn(home, project, "test", "shop");
    const password = snapshot.database.password?.value as string;
    pg0.sql(`CREATE ROLE shop_app LOGIN PASSWORD '${password}'; GRANT CONNECT ON DATABASE shop TO shop_app;`);
    pg0.sql(`SET ROLE shop; ${ordersSql(40, "laptop")}; GRANT SELECT ON laptop TO shop_app;`, "shop");
    const r = devstack(["export", "--profile", "test", "--out", join(work, "laptop-out"), "--json"], { env, cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(password);
    const result = json(r);
    expect(result.exports[0]?.rows).toBe(30);
    const rows = await readParquet(result.exports[0]?.files as string[], "SELECT * FROM parquet LIMIT 1");
    // The listed columns, plus the row key and cursor, which always travel.
    expect(Object.keys(rows[0] as object)).toEqual(["status", "amount", "id", "updated_at"]);
    rmSync(home, { recursive: true, force: true });
  });

  it("bad input gets a clear error: unknown export, missing column, cursor that is not a cursor", () => {
    pg0.sql("CREATE TABLE IF NOT EXISTS plain (id int PRIMARY KEY, name text, updated_at timestamptz DEFAULT now()); ALTER TABLE plain OWNER TO shop;", "shop");
    const out = join(work, "bad-out");
    const env = jobEnv("bad", { a: { table: "plain", cursor: "name" }, b: { table: "plain", cursor: "updated_at", columns: ["nope"] }, c: { table: "missing", cursor: "updated_at" } }, out);
    const unknown = devstack(["export", "zzz"], { env, cwd: work });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no export named zzz");
    const a = devstack(["export", "a"], { env, cwd: work });
    expect(a.stderr).toContain("cursor name is text; a cursor must only grow");
    expect(a.code).toBe(2);
    const b = devstack(["export", "b"], { env, cwd: work });
    expect(b.stderr).toContain("column nope is not in plain");
    expect(b.code).toBe(2);
    const c = devstack(["export", "c"], { env, cwd: work });
    expect(c.stderr).toContain("table missing does not exist");
    expect(c.code).toBe(2);
    expect(existsSync(join(out, "a", "_watermark.json"))).toBe(false);
  });
});
