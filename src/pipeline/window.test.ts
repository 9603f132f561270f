import { describe, expect, it } from "vitest";
import { cursorKind, inlineParams, windowFilter } from "./window.js";

describe("windowFilter", () => {
  it("reads everything on a first or --full run, filtered only by where:", () => {
    expect(windowFilter({ cursor: "updated_at", cursorType: "timestamptz" })).toEqual({ sql: "", params: [] });
    expect(windowFilter({ cursor: "updated_at", cursorType: "timestamptz", where: "deleted_at IS NULL" })).toEqual({ sql: " WHERE (deleted_at IS NULL)", params: [] });
  });

  it("starts strictly after the watermark, passed as a parameter cast to the cursor's type", () => {
    expect(windowFilter({ cursor: "updated_at", cursorType: "timestamptz", after: "2026-01-01 00:00:00+00" })).toEqual({ sql: ' WHERE "updated_at" > $1::timestamptz', params: ["2026-01-01 00:00:00+00"] });
  });

  it("re-reads an overlap behind the watermark: a duration for time cursors, a count for ids", () => {
    expect(windowFilter({ cursor: "updated_at", cursorType: "timestamptz", after: "x", overlap: "5m" }).sql).toBe(` WHERE "updated_at" > $1::timestamptz - interval '300 seconds'`);
    expect(windowFilter({ cursor: "id", cursorType: "int8", after: "10", overlap: 100, where: "a = 1" }).sql).toBe(' WHERE "id" > $1::int8 - 100 AND (a = 1)');
    expect(() => windowFilter({ cursor: "id", cursorType: "int8", after: "10", overlap: "5m" })).toThrow(/a count for id cursors/);
  });

  it("inlines parameters as quoted literals for COPY, which takes none", () => {
    expect(inlineParams(' WHERE "c" > $1::text', ["it's"])).toBe(` WHERE "c" > 'it''s'::text`);
  });

  it("knows which columns can be cursors", () => {
    expect(cursorKind("timestamptz")).toBe("time");
    expect(cursorKind("int8")).toBe("count");
    expect(cursorKind("text")).toBeUndefined();
  });
});
