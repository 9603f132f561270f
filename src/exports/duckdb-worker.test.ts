import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDuckSession } from "./duckdb-worker.js";

const dir = mkdtempSync(join(tmpdir(), "devstack-duck-session-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("openDuckSession", () => {
  it("runs statements in order on its thread and counts the rows they change", async () => {
    const session = await openDuckSession({ threads: "2", autoinstall_known_extensions: "false" });
    try {
      // Not awaited one by one: the thread must keep them in order, as one connection would.
      const results = await Promise.all([session.run("CREATE TABLE t (n INTEGER)"), session.run("INSERT INTO t SELECT range FROM range(5)"), session.run("UPDATE t SET n = n + 1 WHERE n >= 2")]);
      expect(results.slice(1)).toEqual([5, 3]);
      const out = join(dir, "t.parquet");
      expect(await session.run(`COPY t TO '${out}' (FORMAT parquet)`)).toBe(5);
    } finally {
      await session.close();
    }
  });

  it("fails a statement with DuckDB's own message and goes on with the next", async () => {
    const session = await openDuckSession({});
    try {
      await expect(session.run("SELECT CAST('x' AS INTEGER)")).rejects.toThrow(/^Conversion Error: .*'x'/);
      await session.run("CREATE TABLE u (one INTEGER)");
      expect(await session.run("INSERT INTO u VALUES (1)")).toBe(1);
    } finally {
      await session.close();
    }
    await expect(session.run("SELECT 1")).rejects.toThrow(/DuckDB's thread ended/);
  });

  it("fails to open on a setting DuckDB refuses", async () => {
    await expect(openDuckSession({ memory_limit: "lots" })).rejects.toThrow(/config/i);
  });
});
