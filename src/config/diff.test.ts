import { describe, expect, it } from "vitest";
import { diffValues, flatten } from "./diff.js";

describe("flatten", () => {
  it("addresses nested keys by dots and list items by index", () => {
    expect([...flatten({ a: { b: 1, c: [true, { d: "x" }] }, e: [], f: {} })]).toEqual([
      ["a.b", 1],
      ["a.c[0]", true],
      ["a.c[1].d", "x"],
      ["e", []],
      ["f", {}],
    ]);
  });
});

describe("diffValues", () => {
  it("lists changed, added and removed leaves in key order", () => {
    expect(diffValues({ x: 1, y: { z: "a" }, gone: true }, { x: 2, y: { z: "a" }, added: [1] })).toEqual([
      { path: "added[0]", a: null, b: 1 },
      { path: "gone", a: true, b: null },
      { path: "x", a: 1, b: 2 },
    ]);
  });

  it("skips what the ignore function names", () => {
    expect(diffValues({ a: 1, b: 1 }, { a: 2, b: 2 }, (p) => p === "a")).toEqual([{ path: "b", a: 1, b: 2 }]);
  });

  it("finds nothing between equal values", () => {
    expect(diffValues({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
  });
});
