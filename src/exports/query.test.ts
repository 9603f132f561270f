import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { copyQuery, queryExports, queryFormat, type QueryLimits } from "./query.js";

describe("queryFormat", () => {
  it("knows a result file by its extension", () => {
    expect(queryFormat("a/b.parquet")).toBe("parquet");
    expect(queryFormat("B.CSV")).toBe("csv");
    expect(queryFormat("x.json")).toBe("json");
    expect(queryFormat("x.jsonl")).toBe("json");
    expect(queryFormat("x.ndjson")).toBe("json");
    expect(queryFormat("x.txt")).toBeUndefined();
    expect(queryFormat("./data")).toBeUndefined();
  });
});

describe("queryExports and copyQuery", () => {
  let dir: string;
  let views: Record<string, string[]>;
  let limits: QueryLimits;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "devstack-query-"));
    const file = join(dir, "dest", "t", "exported_at=2026-01-01T00-00-00.000Z", "part-0.parquet");
    mkdirSync(join(file, ".."), { recursive: true });
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT range AS id, range % 7 AS g FROM range(5000)) TO '${file}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    views = { t: [file] };
    limits = { memoryLimit: "64MB", tempDirectory: join(dir, "tmp") };
  });

  it("hands over the result chunk by chunk, columns first", async () => {
    const sizes: number[] = [];
    let columns: string[] = [];
    const r = await queryExports(views, "SELECT id, g, exported_at FROM t ORDER BY id", limits, {
      onColumns: (c) => {
        columns = c;
        expect(sizes).toEqual([]);
      },
      onChunk: (rows) => {
        sizes.push(rows.length);
      },
    });
    expect(r).toEqual({ columns: ["id", "g", "exported_at"], rows: 5000 });
    expect(columns).toEqual(r.columns);
    // DuckDB's vector size: 2048 rows a chunk.
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it("gives the columns of an empty result", async () => {
    let columns: string[] = [];
    const r = await queryExports(views, "SELECT id FROM t WHERE id < 0", limits, { onColumns: (c) => void (columns = c), onChunk: () => undefined });
    expect(r).toEqual({ columns: ["id"], rows: 0 });
    expect(columns).toEqual(["id"]);
  });

  it("writes a file whole under its own name, with the row count and size", async () => {
    const file = join(dir, "out", "g.csv");
    const r = await copyQuery(views, "SELECT g, count(*) AS n FROM t GROUP BY g ORDER BY g LIMIT 2;\n", file, limits);
    expect(r).toMatchObject({ columns: ["g", "n"], rows: 2, file, format: "csv" });
    expect(readFileSync(file, "utf8")).toBe("g,n\n0,715\n1,715\n");
    expect(readdirSync(join(dir, "out"))).toEqual(["g.csv"]);
  });

  it("calls a mistake in the SQL a usage error", async () => {
    await expect(queryExports(views, "SELECT nope FROM t", limits, { onChunk: () => undefined })).rejects.toBeInstanceOf(UsageError);
    await expect(copyQuery(views, "SELEC 1", join(dir, "bad.parquet"), limits)).rejects.toThrow(/the query failed: Parser Error/);
    expect(readdirSync(dir)).not.toContain("bad.parquet");
  });
});
