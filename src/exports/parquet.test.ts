import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { COPY_QUOTE, ParquetWriter } from "./parquet.js";
import { routeColumn } from "./type-map.js";

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

describe("ParquetWriter", () => {
  it("reads Postgres's CSV COPY text back into exactly the values", async () => {
    const csv = join(dir, "chunk.csv");
    writeFileSync(csv, cases.map(([printed], i) => `0\t${i}\t${printed}\n`).join(""));
    const routes = [routeColumn({ name: "id", type: "int4", kind: "b" }), routeColumn({ name: "note", type: "text", kind: "b" })];
    const writer = await ParquetWriter.open({ tempDir: join(dir, "duckdb") });
    const out = join(dir, "part.parquet");
    try {
      await writer.convert(csv, routes, out, cases.length, 20);
    } finally {
      writer.close();
    }
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      const rows = (await connection.runAndReadAll(`SELECT id, note FROM read_parquet('${out}') ORDER BY id`)).getRowObjects();
      expect(rows.map((r) => r.note)).toEqual(cases.map(([, value]) => value));
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it("reads timestamps as Postgres prints them, and a chunk holding a BC one (which DuckDB refuses) the careful way", async () => {
    const routes = [routeColumn({ name: "id", type: "int4", kind: "b" }), routeColumn({ name: "at", type: "timestamptz", kind: "b" }), routeColumn({ name: "local", type: "timestamp", kind: "b" })];
    const read = async (lines: string[]) => {
      const csv = join(dir, "times.csv");
      writeFileSync(csv, lines.map((line, i) => `0\t${i}\t${line}\n`).join(""));
      const out = join(dir, "times.parquet");
      const writer = await ParquetWriter.open({ tempDir: join(dir, "duckdb") });
      try {
        await writer.convert(csv, routes, out, lines.length, 80);
      } finally {
        writer.close();
      }
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      try {
        await connection.run("SET TimeZone = 'UTC'");
        return (await connection.runAndReadAll(`SELECT "at"::VARCHAR AS "at", "local"::VARCHAR AS "local" FROM read_parquet('${out}') ORDER BY id`)).getRowObjects();
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    };
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
