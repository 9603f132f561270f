import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { unescapeSql } from "./parquet.js";

describe("unescapeSql", () => {
  it("undoes exactly the escapes of Postgres's text COPY", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      // As COPY prints them, and what they were in the table.
      const cases: [string, string][] = [
        ["plain", "plain"],
        ["a\\tb\\nc\\rd", "a\tb\nc\rd"],
        ["\\\\n is a backslash and an n", "\\n is a backslash and an n"],
        ["\\\\\\\\", "\\\\"],
        ["\\\\\\n", "\\\n"],
        ["\\b\\f\\v", "\b\f\v"],
        ["\\\\N", "\\N"],
      ];
      for (const [printed, value] of cases) {
        const reader = await connection.runAndReadAll(`SELECT ${unescapeSql(`'${printed.replace(/'/g, "''")}'`)} AS v`);
        expect(reader.getRowObjects()[0]?.v, printed).toBe(value);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
