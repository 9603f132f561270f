import { describe, expect, it } from "vitest";
import { quoteIdent } from "./sql.js";
import { INTERVAL_STRUCT, routeColumn } from "./type-map.js";

describe("routeColumn", () => {
  it.each([
    ["int8", {}, "BIGINT"],
    ["bool", {}, "BOOLEAN"],
    ["float8", {}, "DOUBLE"],
    ["uuid", {}, "UUID"],
    ["text", {}, "VARCHAR"],
    ["numeric", { precision: 12, scale: 2 }, "DECIMAL(12,2)"],
    ["numeric", { precision: 38, scale: 0 }, "DECIMAL(38,0)"],
  ])("reads %s %o directly as %s", (type, extra, target) => {
    const route = routeColumn({ name: "c", type, kind: "b", ...extra });
    expect(route).toMatchObject({ source: '"c"', csvType: target, convert: '"c"', target });
  });

  it("keeps numeric without a fitting precision as exact text, never a rounded DECIMAL", () => {
    expect(routeColumn({ name: "n", type: "numeric", kind: "b" }).target).toBe("VARCHAR");
    expect(routeColumn({ name: "n", type: "numeric", kind: "b", precision: 50, scale: 20 }).target).toBe("VARCHAR");
    expect(routeColumn({ name: "n", type: "numeric", kind: "b", precision: 3, scale: -2 }).target).toBe("VARCHAR");
    expect(routeColumn({ name: "n", type: "numeric", kind: "b", precision: 3, scale: 5 }).target).toBe("VARCHAR");
  });

  it("reads date as DATE, with BC dates rewritten on the server to the ISO year DuckDB reads (it would read a BC date as AD)", () => {
    const route = routeColumn({ name: "c", type: "date", kind: "b" });
    expect(route).toMatchObject({ csvType: "DATE", convert: '"c"', target: "DATE" });
    expect(route.source).toContain(`CASE WHEN "c" < '0001-01-01' AND isfinite("c")`);
    expect(route.careful).toBeUndefined();
  });

  it.each([
    ["timestamp", "TIMESTAMP"],
    ["timestamptz", "TIMESTAMPTZ"],
  ])("reads %s directly as %s, and BC ones (which DuckDB refuses) the careful way", (type, target) => {
    const route = routeColumn({ name: "c", type, kind: "b" });
    expect(route).toMatchObject({ source: '"c"', csvType: target, convert: '"c"', target });
    expect(route.careful).toMatchObject({ csvType: "VARCHAR" });
    expect(route.careful?.convert).toContain(`suffix("c", ' BC')`);
  });

  it("keeps json as its exact text and types jsonb as JSON; multi-dimensional arrays as JSON", () => {
    expect(routeColumn({ name: "j", type: "json", kind: "b" }).target).toBe("VARCHAR");
    expect(routeColumn({ name: "m", type: "_int4", element: "int4", dims: 2, kind: "b" })).toMatchObject({ source: 'to_json("m")', target: "JSON" });
  });

  it("types JSON, decodes bytea from hex, and sends intervals as their three signed fields", () => {
    expect(routeColumn({ name: "doc", type: "jsonb", kind: "b" })).toMatchObject({ csvType: "VARCHAR", convert: 'CAST("doc" AS JSON)', target: "JSON" });
    expect(routeColumn({ name: "b", type: "bytea", kind: "b" })).toMatchObject({ source: `encode("b", 'hex')`, convert: 'unhex("b")', target: "BLOB" });
    const span = routeColumn({ name: "s", type: "interval", kind: "b" });
    expect(span.target).toBe(INTERVAL_STRUCT);
    expect(span.source).toContain("json_build_object('months'");
  });

  it("sends one-dimensional arrays of plain elements as Postgres prints them, others as JSON text of their elements, and casts them to typed lists", () => {
    const ids = routeColumn({ name: "ids", type: "_int4", element: "int4", kind: "b" });
    expect(ids).toMatchObject({ pgType: "int4[]", csvType: "VARCHAR", target: "INTEGER[]" });
    expect(ids.source).toBe(`CASE WHEN array_ndims("ids") > 1 OR array_lower("ids", 1) <> 1 THEN to_json("ids"::text[])::text ELSE "ids"::text END`);
    // Postgres sends JSON for more dimensions or bounds; more dimensions than declared stop the chunk.
    expect(ids.convert).toMatch(/^CASE WHEN starts_with\("ids", '\[\['\) THEN error\('an array has more dimensions than its column declares: .*'\) ELSE CASE WHEN starts_with\("ids", '\['\) THEN CAST\(CAST\("ids" AS JSON\) AS INTEGER\[\]\) ELSE CAST\(.* AS INTEGER\[\]\) END END$/);
    // bpchar's padding would differ between the two forms (the text cast trims it): its arrays go as JSON.
    expect(routeColumn({ name: "c", type: "_bpchar", element: "bpchar", kind: "b" }).source).toBe('to_json("c"::text[])');
    expect(routeColumn({ name: "m", type: "_mood", element: "mood", kind: "b" }).source).toBe('to_json("m"::text[])');
    expect(routeColumn({ name: "box", type: "_box", element: "box", kind: "b" }).source).toBe('to_json("box"::text[])');
    for (const element of ["mood", "bytea", "date", "timestamptz", "inet"]) {
      const route = routeColumn({ name: "a", type: `_${element}`, element, kind: "b" });
      expect(route.convert, element).toMatch(/^CASE WHEN starts_with\("a", '\[\['\) THEN error\(/);
    }
    expect(routeColumn({ name: "a", type: "_date", element: "date", kind: "b" }).source).toMatch(/^CASE WHEN array_ndims\("a"\) > 1 THEN to_json\("a"::text\[\]\) WHEN/);
    expect(routeColumn({ name: "p", type: "_numeric", element: "numeric", kind: "b" }).target).toBe("VARCHAR[]");
    expect(routeColumn({ name: "b", type: "_bytea", element: "bytea", kind: "b" }).target).toBe("BLOB[]");
    expect(routeColumn({ name: "m", type: "_mood", element: "mood", kind: "b" }).target).toBe("VARCHAR[]");
  });

  it("maps enums, network types and anything unknown to text", () => {
    for (const type of ["mood", "inet", "money", "xml", "tsvector"]) expect(routeColumn({ name: "x", type, kind: "e" }).target).toBe("VARCHAR");
  });

  it("quotes identifiers, doubling quotes inside", () => {
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(routeColumn({ name: "Order", type: "int4", kind: "b" }).source).toBe('"Order"');
  });
});
