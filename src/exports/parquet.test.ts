import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { CHUNK_PREAMBLE, ColumnError, COPY_QUOTE, ParquetWriter } from "./parquet.js";
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
 * Writes `lines` as a chunk (each after its row number as `id`, unless `numbered` is false), converts it with `routes`,
 * and runs `sql` over the Parquet file (as the view `parquet`) in a separate DuckDB, in UTC.
 */
async function convertAndRead(lines: string[], routes: ColumnRoute[], longestRow: number, sql: string, numbered = true): Promise<Record<string, unknown>[]> {
  const csv = join(dir, "chunk.csv");
  writeFileSync(csv, CHUNK_PREAMBLE + lines.map((line, i) => `${numbered ? `${i}\t` : ""}${line}\n`).join(""));
  const out = join(dir, "part.parquet");
  const writer = await ParquetWriter.open({ tempDir: join(dir, "duckdb") });
  try {
    await writer.convert(csv, routes, out, lines.length, longestRow);
  } finally {
    await writer.close();
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

  it("keeps a leading byte-order mark of the chunk's first value", async () => {
    const routes = [routeColumn({ name: "note", type: "text", kind: "b" }), routeColumn({ name: "id", type: "int4", kind: "b" })];
    // Measured in SQL: the DuckDB client decodes text with a TextDecoder, which drops a leading BOM itself.
    const rows = await convertAndRead(["\uFEFFbom\t0", "\uFEFF\t1"], routes, 20, "SELECT unicode(note) AS first, length(note) AS chars FROM parquet ORDER BY id", false);
    expect(rows).toEqual([
      { first: 0xfeff, chars: 4n },
      { first: 0xfeff, chars: 1n },
    ]);
  });

  it("reads one-dimensional arrays as Postgres prints them, and the JSON it sends for others", async () => {
    const routes = [routeColumn({ name: "id", type: "int4", kind: "b" }), routeColumn({ name: "names", type: "_text", element: "text", kind: "b" }), routeColumn({ name: "ids", type: "_int8", element: "int8", kind: "b" })];
    const printed = [
      "{a,b}\t{1,NULL,-9223372036854775808}",
      `${q('{"a b","c,d","e\\"f","g\\\\h",NULL,"NULL","","{}","\t\n",ü}')}\t{}`,
      "{}\t",
      "\t[1,2]",
      '["x",null]\t[]',
    ];
    const rows = await convertAndRead(printed, routes, 80, "SELECT to_json(names)::VARCHAR AS names, to_json(list_transform(ids, x -> x::VARCHAR))::VARCHAR AS ids FROM parquet ORDER BY id");
    expect(rows.map((r) => ({ names: JSON.parse(String(r.names ?? null)) as unknown, ids: JSON.parse(String(r.ids ?? null)) as unknown }))).toEqual([
      { names: ["a", "b"], ids: ["1", null, "-9223372036854775808"] },
      { names: ["a b", "c,d", 'e"f', "g\\h", null, "NULL", "", "{}", "\t\n", "ü"], ids: [] },
      { names: [], ids: null },
      { names: null, ids: ["1", "2"] },
      { names: ["x", null], ids: [] },
    ]);
  });

  it("names the column whose values do not fit, when a chunk fails", async () => {
    const routes = [routeColumn({ name: "id", type: "int4", kind: "b" }), routeColumn({ name: "fine", type: "text", kind: "b" }), routeColumn({ name: "grid", type: "_int4", element: "int4", kind: "b" })];
    const failure = convertAndRead(["a\t{1,2}", "b\t[[1,2],[3,4]]"], routes, 40, "SELECT 1");
    await expect(failure).rejects.toBeInstanceOf(ColumnError);
    await expect(failure).rejects.toThrow(/^column grid: .*more dimensions than its column declares/);
  });

  it("reports the named column's own failure, whichever column failed the chunk", async () => {
    const routes = [routeColumn({ name: "id", type: "int4", kind: "b" }), routeColumn({ name: "grid", type: "_int4", element: "int4", kind: "b" }), routeColumn({ name: "price", type: "numeric", kind: "b", precision: 5, scale: 2 })];
    await expect(convertAndRead(["[[1,2],[3,4]]\t1.00", "{1}\tNaN"], routes, 40, "SELECT 1")).rejects.toThrow(/^column grid: .*more dimensions/);
    await expect(convertAndRead(["{1}\t1.00", "{1}\tNaN"], routes, 40, "SELECT 1")).rejects.toThrow(/^column price: Conversion Error/);
  });

  it("names the first of several columns that do not fit, in a wide chunk", async () => {
    const fine = Array.from({ length: 37 }, (_, i) => routeColumn({ name: `c${i}`, type: "text", kind: "b" }));
    const routes = [routeColumn({ name: "id", type: "int4", kind: "b" }), ...fine.slice(0, 20), routeColumn({ name: "price", type: "numeric", kind: "b", precision: 5, scale: 2 }), ...fine.slice(20), routeColumn({ name: "grid", type: "_int4", element: "int4", kind: "b" })];
    const texts = fine.map((_, i) => `t${i}`);
    const line = (price: string, grid: string) => [...texts.slice(0, 20), price, ...texts.slice(20), grid].join("\t");
    const failure = convertAndRead([line("1.00", "{1}"), line("NaN", "{1}"), line("2.00", "[[1],[2]]")], routes, 400, "SELECT 1");
    await expect(failure).rejects.toThrow(/^column price: Conversion Error/);
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
      await writer.close();
    }
  });
});
