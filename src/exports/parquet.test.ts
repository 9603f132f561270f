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

  it("refuses a chunk whose longest row is over the limit, naming the limit", async () => {
    const writer = await ParquetWriter.open({ tempDir: join(dir, "duckdb") });
    try {
      await expect(writer.convert(join(dir, "none.csv"), [], join(dir, "none.parquet"), 1, 140_000_000)).rejects.toThrow(/over 133\.5 MiB of text, more than the 65\.0 MiB/);
    } finally {
      writer.close();
    }
  });
});
