import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { COPY_QUOTE, ParquetWriter } from "./parquet.js";
import { routeColumn, type ColumnRoute } from "./type-map.js";

const dir = mkdtempSync(join(tmpdir(), "devstack-parquet-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// As Postgres's CSV COPY prints them (tab-separated, quoted with COPY_QUOTE), and what they were in the table.
const q = (text: string) => `${COPY_QUOTE}${text}${COPY_QUOTE}`;
const cases: [string, string | null][] = [
  ["plain", "plain"],
  [q("a\tb\nc\rd"), "a\tb\nc\rd"],
  ["\\n is a backslash and an n", "\\n is a backslash and an n"],
  ['say "hi"', 'say "hi"'],
  ['"quoted"', '"quoted"'],
  [q(`soh ${COPY_QUOTE}${COPY_QUOTE} inside`), `soh ${COPY_QUOTE} inside`],
  [q(`${COPY_QUOTE}${COPY_QUOTE}`), COPY_QUOTE],
  ["\\N", "\\N"],
  [q(""), ""],
  ["", null],
  [q("\n"), "\n"],
];

/**
 * Writes `lines` as a chunk (each after the lead column and its row number as `id`), converts it with `routes`,
 * and runs `sql` over the Parquet file (as the view `parquet`) in a separate DuckDB, in UTC.
 */
async function convertAndRead(lines: string[], routes: ColumnRoute[], longestRow: number, sql: string): Promise<Record<string, unknown>[]> {
  const csv = join(dir, "chunk.csv");
  writeFileSync(csv, lines.map((line, i) => `0\t${i}\t${line}\n`).join(""));
  const out = join(dir, "part.parquet");
  const writer = await ParquetWriter.open({ tempDir: join(dir, "duckdb") });
  try {
    await writer.convert(csv, routes, out, lines.length, longestRow);
  } finally {
    writer.close();
  }
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(`SET TimeZone = 'UTC'; CREATE VIEW parquet AS SELECT * FROM read_parquet('${out}')`);
    return (await connection.runAndReadAll(sql)).getRowObjects();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("ParquetWriter", () => {
  it("reads Postgres's CSV COPY text back into exactly the values", async () => {
    const routes = [routeColumn({ name: "id", type: "int4", kind: "b" }), routeColumn({ name: "note", type: "text", kind: "b" })];
    const rows = await convertAndRead(cases.map(([printed]) => printed), routes, 20, "SELECT id, note FROM parquet ORDER BY id");
    expect(rows.map((r) => r.note)).toEqual(cases.map(([, value]) => value));
  });

  it("reads timestamps as Postgres prints them, and a chunk holding a BC one (which DuckDB refuses) the careful way", async () => {
    const routes = [routeColumn({ name: "id", type: "int4", kind: "b" }), routeColumn({ name: "at", type: "timestamptz", kind: "b" }), routeColumn({ name: "local", type: "timestamp", kind: "b" })];
    const read = (lines: string[]) => convertAndRead(lines, routes, 80, `SELECT "at"::VARCHAR AS "at", "local"::VARCHAR AS "local" FROM parquet ORDER BY id`);
    const plain = ["2024-02-29 23:59:59.123456+00\t2024-02-29 23:59:59", "infinity\t-infinity", "\t"];
    const expected = [
      { at: "2024-02-29 23:59:59.123456+00", local: "2024-02-29 23:59:59" },
      { at: "infinity", local: "-infinity" },
      { at: null, local: null },
    ];
    expect(await read(plain)).toEqual(expected);
    expect(await read([...plain, "0044-03-15 10:00:00.5+00 BC\t4713-01-01 00:00:00 BC"])).toEqual([...expected, { at: "0044-03-15 (BC) 10:00:00.5+00", local: "4713-01-01 (BC) 00:00:00" }]);
  });

  it("refuses a chunk whose longest row is over the limit, naming the limit", async () => {
    const writer = await ParquetWriter.open({ tempDir: join(dir, "duckdb") });
    try {
      await expect(writer.convert(join(dir, "none.csv"), [], join(dir, "none.parquet"), 1, 140_000_000)).rejects.toThrow(/over 133\.5 MiB of text, more than the 65\.0 MiB/);
    } finally {
      writer.close();
    }
  });
});
