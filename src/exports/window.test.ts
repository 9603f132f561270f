import { describe, expect, it } from "vitest";
import { cursorKind, windowFilter } from "./window.js";

describe("windowFilter", () => {
  it("reads everything on a first or --full run, filtered only by where:", () => {
    expect(windowFilter({ cursor: "updated_at", cursorType: "timestamptz" })).toBe("");
    expect(windowFilter({ cursor: "updated_at", cursorType: "timestamptz", where: "note <> '$1'" })).toBe(" WHERE (note <> '$1')");
  });

  it("starts strictly after the watermark, a quoted literal cast to the cursor's type", () => {
    expect(windowFilter({ cursor: "updated_at", cursorType: "timestamptz", after: "2026-01-01 00:00:00+00" })).toBe(` WHERE "updated_at" > '2026-01-01 00:00:00+00'::timestamptz`);
    expect(windowFilter({ cursor: "c", cursorType: "int8", after: "1'; DROP TABLE x; --" })).toBe(` WHERE "c" > '1''; DROP TABLE x; --'::int8`);
  });

  it("re-reads the watermark's whole day for date cursors of views, which have no xmin", () => {
    expect(windowFilter({ cursor: "day", cursorType: "date", after: "2026-01-01" })).toBe(` WHERE "day" >= '2026-01-01'::date`);
    expect(windowFilter({ cursor: "day", cursorType: "date", after: "2026-01-01", afterXmin: "7" })).toBe(` WHERE ("day" > '2026-01-01'::date OR age(xmin) BETWEEN 0 AND age('7'::xid))`);
  });

  it("re-reads rows of transactions the previous snapshot could not see, whatever the cursor", () => {
    expect(windowFilter({ cursor: "id", cursorType: "int8", after: "10", afterXmin: "4294967306" })).toBe(` WHERE ("id" > '10'::int8 OR age(xmin) BETWEEN 0 AND age('10'::xid))`);
    expect(windowFilter({ cursor: "at", cursorType: "timestamptz", after: "x", afterXmin: "5" })).toBe(` WHERE ("at" > 'x'::timestamptz OR age(xmin) BETWEEN 0 AND age('5'::xid))`);
  });

  it("starts at the floor when there is one, so an index on the cursor bounds the scan", () => {
    expect(windowFilter({ cursor: "id", cursorType: "int8", after: "10", afterXmin: "5", floor: "8" })).toBe(` WHERE "id" >= '8'::int8 AND ("id" > '10'::int8 OR age(xmin) BETWEEN 0 AND age('5'::xid))`);
    expect(windowFilter({ cursor: "at", cursorType: "timestamptz", after: "x", afterXmin: "5", floor: "w", overlap: "1m" })).toBe(
      ` WHERE "at" >= 'w'::timestamptz - interval '60 seconds' AND ("at" > 'x'::timestamptz - interval '60 seconds' OR age(xmin) BETWEEN 0 AND age('5'::xid))`,
    );
    // A view has no xmin and so no floor: the watermark alone bounds it.
    expect(windowFilter({ cursor: "id", cursorType: "int8", after: "10", floor: "8" })).toBe(` WHERE "id" > '10'::int8`);
  });

  it("re-reads an overlap behind the watermark: a duration for time cursors, a count for ids", () => {
    expect(windowFilter({ cursor: "updated_at", cursorType: "timestamptz", after: "x", overlap: "5m" })).toBe(` WHERE "updated_at" > 'x'::timestamptz - interval '300 seconds'`);
    expect(windowFilter({ cursor: "id", cursorType: "int8", after: "10", overlap: 100, where: "a = 1" })).toBe(` WHERE "id" > '10'::int8 - 100 AND (a = 1)`);
    expect(() => windowFilter({ cursor: "id", cursorType: "int8", after: "10", overlap: "5m" })).toThrow(/does not fit cursor id/);
  });

  it("knows which columns can be cursors", () => {
    expect(cursorKind("timestamptz")).toBe("time");
    expect(cursorKind("int8")).toBe("count");
    expect(cursorKind("text")).toBeUndefined();
  });
});
