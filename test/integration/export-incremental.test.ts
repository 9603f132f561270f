import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ExportSpec } from "../../src/config/schema/app.js";
import { openDestination } from "../../src/exports/destination.js";
import { planExport, runExport } from "../../src/exports/run.js";
import { describeWithEngine } from "../support/engines.js";
import { findPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";

// Incremental runs read from the cursor's index, bounded below by the
// floor no late commit can fall under; a transaction left open elsewhere does
// not make every run send everything again, and one left open here is named
// and its rows still arrive once it commits.

const postgres = findPostgres();
const ROWS = 50_000;

describeWithEngine("PostgreSQL", "missing" in postgres ? postgres.missing : undefined, "incremental export by the cursor's index, with open transactions", () => {
  let server: TestPostgres;
  let url: string;
  const dirs: string[] = [];
  const clients: pg.Client[] = [];
  const connection = () => ({ connectionString: url });

  const client = async (connectionString: string) => {
    const c = new pg.Client({ connectionString });
    await c.connect();
    clients.push(c);
    return c;
  };
  const destination = async () => {
    const dir = mkdtempSync(join(tmpdir(), "devstack-export-incr-"));
    dirs.push(dir);
    return openDestination({ type: "directory", path: dir });
  };
  /** Sequential scans and index scans of a table so far, as Postgres counts them. */
  const scans = (table: string) => {
    const [seq, idx] = server.sql(`SELECT pg_stat_force_next_flush(); SELECT seq_scan || ' ' || coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = '${table}'`, "shop").trim().split("\n").at(-1)?.split(" ").map(Number) ?? [];
    return { seq, idx };
  };

  beforeAll(async () => {
    server = await startPostgres((postgres as { bin: string }).bin);
    url = server.database("shop", "shop-incr-password");
    server.database("other", "other-incr-password");
    server.sql(
      `SET ROLE shop;
       CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
       CREATE INDEX events_updated_at ON events (updated_at);
       INSERT INTO events (body, updated_at) SELECT 'event ' || g, now() - interval '1 day' + g * interval '1 ms' FROM generate_series(1, ${ROWS}) g;
       CREATE TABLE plain (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL);
       INSERT INTO plain SELECT g, now() FROM generate_series(1, 100) g;
       ANALYZE;`,
      "shop",
    );
  });

  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => {});
    server?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("with nothing new, reads by the index and never scans the table; a dry run says so, or suggests the index", async () => {
    const out = await destination();
    const spec: ExportSpec = { table: "events", cursor: "updated_at" };
    const full = await runExport({ name: "events", spec, connection: connection(), destination: out });
    expect(full.rows).toBe(ROWS);

    const plan = await planExport({ name: "events", spec, connection: connection(), destination: out });
    expect(plan).toMatchObject({ mode: "incremental", scan: "index", index: "events_updated_at" });
    expect(plan.filter).toMatch(/^"updated_at" >= '.*'::timestamptz AND \(/);

    const before = scans("events");
    const nothing = await runExport({ name: "events", spec, connection: connection(), destination: out });
    expect(nothing).toMatchObject({ rows: 0, scan: "index" });
    const after = scans("events");
    expect(after.seq).toBe(before.seq);
    expect(after.idx).toBeGreaterThan(before.idx ?? 0);

    // New rows arrive, and only they.
    server.sql("INSERT INTO events (body) SELECT 'new ' || g FROM generate_series(1, 25) g", "shop");
    expect((await runExport({ name: "events", spec, connection: connection(), destination: out })).rows).toBe(25);
    expect((await runExport({ name: "events", spec, connection: connection(), destination: out })).rows).toBe(0);
    expect(scans("events").seq).toBe(before.seq);

    const plain = await planExport({ name: "plain", spec: { table: "plain", cursor: "updated_at" }, connection: connection(), destination: out });
    expect(plain.scan).toBe("table");
    expect(plain.warnings.join("\n")).toContain('CREATE INDEX CONCURRENTLY ON plain ("updated_at")');
  });

  it("a transaction left open in another database does not make each run send everything again", async () => {
    const out = await destination();
    const spec: ExportSpec = { table: "events", cursor: "updated_at" };
    await runExport({ name: "events", spec, connection: connection(), destination: out });
    // The same role in another database, so its transaction is visible to the export.
    const elsewhere = await client(url.replace(/\/shop$/, "/other"));
    await elsewhere.query("BEGIN");
    const { rows } = await elsewhere.query<{ pid: number }>("SELECT txid_current(), pg_backend_pid() AS pid");
    try {
      for (const batch of [40, 10, 5]) {
        server.sql(`INSERT INTO events (body) SELECT 'batch ' || g FROM generate_series(1, ${batch}) g`, "shop");
        const run = await runExport({ name: "events", spec, connection: connection(), destination: out });
        expect(run.rows).toBe(batch);
        expect(run.oldestTransaction).toMatchObject({ pid: rows[0]?.pid, database: "other", holdsBack: false });
      }
    } finally {
      await elsewhere.query("ROLLBACK");
    }
  });

  it("a transaction left open here is named, and the row it commits late arrives once, in the run after", async () => {
    const out = await destination();
    const spec: ExportSpec = { table: "events", cursor: "updated_at" };
    await runExport({ name: "events", spec, connection: connection(), destination: out });
    const writer = await client(url);
    await writer.query("BEGIN");
    // Stamped with the transaction's start: older than rows committed meanwhile.
    await writer.query("INSERT INTO events (body) VALUES ('late')");
    const { rows } = await writer.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    server.sql("INSERT INTO events (body) SELECT 'meanwhile ' || g FROM generate_series(1, 30) g", "shop");

    try {
    const during = await runExport({ name: "events", spec, connection: connection(), destination: out });
    expect(during.rows).toBe(30);
    expect(during.oldestTransaction).toMatchObject({ pid: rows[0]?.pid, database: "shop", holdsBack: true });
    // While it stays open, runs re-read what changed since it began: no more than that.
    const again = await runExport({ name: "events", spec, connection: connection(), destination: out });
    expect(again.rows).toBeLessThanOrEqual(30);

    } finally {
      await writer.query("COMMIT");
    }
    const after = await runExport({ name: "events", spec, connection: connection(), destination: out });
    expect(after.rows).toBeGreaterThanOrEqual(1);
    expect(after.rows).toBeLessThanOrEqual(31);
    const settled = await runExport({ name: "events", spec, connection: connection(), destination: out });
    expect(settled.rows).toBe(0);
    expect(settled.scan).toBe("index");
  });

  it("stops waiting for a transaction open past the horizon, and looks back for it once it ends", async () => {
    const out = await destination();
    const spec: ExportSpec = { table: "events", cursor: "updated_at", horizon: "1s" };
    await runExport({ name: "events", spec, connection: connection(), destination: out });
    const writer = await client(url);
    await writer.query("BEGIN");
    await writer.query("INSERT INTO events (body) VALUES ('very late')");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    server.sql("INSERT INTO events (body) SELECT 'later ' || g FROM generate_series(1, 20) g", "shop");

    try {
      expect((await runExport({ name: "events", spec, connection: connection(), destination: out })).rows).toBe(20);
      // Past the horizon, runs no longer re-read what changed while it is open.
      const waiting = await runExport({ name: "events", spec, connection: connection(), destination: out });
      expect(waiting.rows).toBe(0);
      expect(waiting.warnings.join("\n")).toContain("longer than the horizon");
    } finally {
      await writer.query("COMMIT");
    }
    // Once, it reads back to when it began: its late row, and what committed since (its savepoints' rows carry later ids).
    const after = await runExport({ name: "events", spec, connection: connection(), destination: out });
    expect(after.rows).toBeGreaterThanOrEqual(1);
    expect(after.rows).toBeLessThanOrEqual(21);
    expect((await runExport({ name: "events", spec, connection: connection(), destination: out })).rows).toBe(0);
  });
});
