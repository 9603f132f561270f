import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DevstackError } from "../../src/errors.js";
import { openDestination, type Destination } from "../../src/exports/destination.js";
import { runExport } from "../../src/exports/run.js";
import type { ExportSpec } from "../../src/config/schema/app.js";
import { describeWithEngine } from "../support/engines.js";
import { findPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";
import { readParquet, parquetColumnTypes } from "../support/parquet.js";

const postgres = findPostgres();

const TYPES_TABLE = `
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TABLE everything (
  id bigint PRIMARY KEY,
  price numeric(12,2), ratio numeric, huge numeric(50,20),
  at timestamptz, local_at timestamp, day date, clock time, span interval,
  doc jsonb, raw json, ids integer[], names text[], prices numeric[], stamps timestamptz[], blobs bytea[],
  uid uuid, data bytea, flag boolean, small smallint, real4 real, double8 double precision,
  label text, fixed char(5), feeling mood, positive positive_int, addr inet,
  bc_day date, bc_at timestamptz, grid integer[][], rounded numeric(3,-2), lone json, tricky text, bc_days date[], bc_local timestamp, odd text[], flags boolean[],
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO everything VALUES
 (1, 1234567890.12, 3.14159265358979323846264338327950288419716939937510, 123456789012345678901234567890.12345678901234567890,
  '2024-02-29 23:59:59.123456+05:30', '2024-02-29 23:59:59.999999', '2024-02-29', '13:14:15.5', '1 year 2 months -3 days 04:05:06.789',
  '{"a": [1, 2, {"b": null}], "text": "quote \\" and \\n newline", "ü": "ünïcode"}', '{"keep":   "spacing"}',
  '{1,NULL,3}', '{"a b","c,d","e\\"f",NULL,""}', '{1.10,2.123456789012345678}', '{"2024-01-01 00:00:00+00","1999-12-31 23:59:59.5+01"}', '{"\\\\x00ff",NULL}',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff0a0d2c22', true, -32768, 1.5, 0.1,
  E'line one\\nline two, "quoted"\\ttab \\\\ backslash', 'ab', 'sad', 7, '192.168.0.1/24',
  '0044-03-15 BC', '0044-03-15 10:00:00.5+00 BC', '{{1,2},{3,4}}', 12345, '"\\ud800"', E'\\\\N', '{"0044-03-15 BC","2024-02-29",NULL}', '4713-01-01 23:59:59.999999 BC',
  '[0:1]={"x y",z}', '{t,f,NULL}', '2026-01-01 00:00:00+00'),
 (2, NULL, 'NaN', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Infinity', '-Infinity',
  '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, E'back\\\\n is not a newline; \\r cr \\f ff \\x0b vt \\b bs \\\\\\\\ two \\x01 soh \\x01\\x01 "', NULL, NULL, E'{"NULL",NULL,"\\\\\\\\","{}"," lead","x\\\\"y",ü}', NULL, '2026-01-01 00:00:01+00'),
 (3, -0.01, -1e-20, 0, 'infinity', '-infinity', '2000-01-01', '00:00:00', '-1 days +02:00:00', '[]', 'null', '{}', '{}', '{}', '{}', '{}',
  '00000000-0000-0000-0000-000000000000', '', false, 32767, 'NaN', 1e308, 'NULL', '', 'happy', 1, '::1',
  '-infinity', 'infinity', '{}', -0, '{}', NULL, '{}', 'infinity', '{"",""}', '{}', '2026-01-01 00:00:02+00');
`;

describeWithEngine("PostgreSQL", "missing" in postgres ? postgres.missing : undefined, "devstack export against a real Postgres", () => {
  let pg: TestPostgres;
  let url: string;
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "devstack-export-test-"));
    dirs.push(dir);
    return dir;
  };
  const connection = () => ({ connectionString: url });

  beforeAll(async () => {
    pg = await startPostgres((postgres as { bin: string }).bin);
    url = pg.database("shop", "shop-test-password");
    pg.sql(`SET ROLE shop; ${TYPES_TABLE}`, "shop");
  });

  afterAll(() => {
    pg?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("round-trips every Postgres type into Parquet: numeric, timestamptz, jsonb, arrays, uuid, bytea, nulls", async () => {
    const out = tempDir();
    const destination = await openDestination({ type: "directory", path: out });
    const spec: ExportSpec = { table: "everything", cursor: "updated_at" };
    const result = await runExport({ name: "everything", spec, connection: connection(), destination });
    expect(result.rows).toBe(3);
    expect(result.files).toHaveLength(1);

    // The Parquet schema, read by an independent reader (hyparquet), carries the logical types.
    const types = await parquetColumnTypes(result.files[0] as string);
    expect(types).toMatchObject({
      price: "DECIMAL(12,2)",
      huge: "UTF8",
      ratio: "UTF8",
      at: "TIMESTAMP(UTC,MICROS)",
      local_at: "TIMESTAMP(MICROS)",
      day: "DATE",
      uid: "UUID",
      data: "BYTE_ARRAY",
      doc: "JSON",
      ids: "LIST<INT_32>",
      names: "LIST<UTF8>",
      flag: "BOOLEAN",
      span: "GROUP<INT_32,INT_32,INT_64>",
      raw: "UTF8",
      grid: "JSON",
      rounded: "UTF8",
    });

    const rows = await readParquet(result.files[0] as string, "SELECT * REPLACE (hex(data) AS data, list_transform(blobs, b -> hex(b)) AS blobs, clock::VARCHAR AS clock) FROM parquet ORDER BY id");
    const [one, two, three] = rows;
    expect(one).toMatchObject({
      id: "1",
      price: "1234567890.12",
      ratio: "3.14159265358979323846264338327950288419716939937510",
      huge: "123456789012345678901234567890.12345678901234567890",
      at: "2024-02-29 18:29:59.123456+00",
      local_at: "2024-02-29 23:59:59.999999",
      day: "2024-02-29",
      clock: "13:14:15.5",
      span: { months: 14, days: -3, microseconds: "14706789000" },
      ids: [1, null, 3],
      names: ["a b", "c,d", 'e"f', null, ""],
      prices: ["1.10", "2.123456789012345678"],
      stamps: ["2024-01-01 00:00:00+00", "1999-12-31 22:59:59.5+00"],
      blobs: ["00FF", null],
      uid: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
      data: "00FF0A0D2C22",
      flag: true,
      small: -32768,
      real4: 1.5,
      double8: 0.1,
      label: 'line one\nline two, "quoted"\ttab \\ backslash',
      fixed: "ab   ",
      feeling: "sad",
      positive: 7,
      addr: "192.168.0.1/24",
      // BC stays BC (Postgres prints "0044-03-15 BC", which read as is would be AD).
      bc_day: "0044-03-15 (BC)",
      bc_at: "0044-03-15 (BC) 10:00:00.5+00",
      grid: "[[1,2],[3,4]]",
      rounded: "12300",
      lone: '"\\ud800"',
      // Postgres's text COPY prints this as \\N, not the NULL marker \N.
      tricky: "\\N",
      bc_days: ["0044-03-15 (BC)", "2024-02-29", null],
      bc_local: "4713-01-01 (BC) 23:59:59.999999",
      // Lower bounds are dropped, as in JSON.
      odd: ["x y", "z"],
      flags: [true, false, null],
    });
    expect(JSON.parse(one?.doc as string)).toEqual({ a: [1, 2, { b: null }], text: 'quote " and \n newline', ü: "ünïcode" });
    expect(one?.raw).toBe('{"keep":   "spacing"}');
    // NULL stays NULL and the empty string stays empty: CSV's two cases are not confused.
    expect(JSON.stringify(two?.tricky)).toBe(JSON.stringify("back\\n is not a newline; \r cr \f ff \v vt \b bs \\\\ two \u0001 soh \u0001\u0001 \""));
    expect(three?.tricky).toBeNull();
    expect(two?.bc_days).toBeNull();
    expect(three?.bc_days).toEqual([]);
    expect(two?.odd).toEqual(["NULL", null, "\\", "{}", " lead", 'x"y', "ü"]);
    expect(three).toMatchObject({ odd: ["", ""], flags: [] });
    expect(two).toMatchObject({ price: null, ratio: "NaN", at: null, doc: null, ids: null, uid: null, data: null, flag: null, real4: "Infinity", double8: "-Infinity", label: "", fixed: null });
    expect(three).toMatchObject({ price: "-0.01", ratio: "-0.00000000000000000001", at: "infinity", local_at: "-infinity", span: { months: 0, days: -1, microseconds: "7200000000" }, doc: "[]", raw: "null", ids: [], names: [], data: "", label: "NULL", fixed: "     ", double8: 1e308 });
    expect(three?.real4).toBe("NaN");

    const watermark = JSON.parse(readFileSync(join(out, "everything", "_watermark.json"), "utf8"));
    expect(watermark).toMatchObject({ export: "everything", cursor: "updated_at", value: "2026-01-01 00:00:02+00", key: ["id"], lastRun: { rows: 3 } });
  });

  it("keeps a leading byte-order mark, and rows far larger than DuckDB's default line limit", async () => {
    pg.sql("SET ROLE shop; CREATE TABLE wide (note text, id int PRIMARY KEY, doc jsonb, updated_at timestamptz NOT NULL DEFAULT now()); INSERT INTO wide VALUES (E'\\uFEFFbom', 1, NULL), (repeat(E'tab\\t', 3000000), 2, (SELECT jsonb_agg(g) FROM generate_series(1, 500000) g));", "shop");
    const out = tempDir();
    const result = await runExport({ name: "wide", spec: { table: "wide", cursor: "updated_at" }, connection: connection(), destination: await openDestination({ type: "directory", path: out }) });
    expect(result.rows).toBe(2);
    expect(await readParquet(result.files, "SELECT id, length(note) AS n, starts_with(note, chr(65279)) AS bom, json_array_length(doc) AS items FROM parquet ORDER BY id")).toEqual([
      { id: 1, n: "4", bom: true, items: null },
      { id: 2, n: "12000000", bom: false, items: "500000" },
    ]);
  });

  it.each([
    ["grid", "int[]", "'{{1,2},{3,4}}'", /column grid: .*more dimensions than its column declares: declare them in the table/],
    ["names", "text[]", "'{{a,b},{c,d}}'", /column names: .*more dimensions than its column declares/],
    ["days", "date[]", "'{{2024-01-01,2024-01-02},{2024-01-03,2024-01-04}}'", /column days: .*more dimensions than its column declares/],
    ["hosts", "inet[]", "'{{1.2.3.4},{5.6.7.8}}'", /column hosts: .*more dimensions than its column declares/],
    ["blobs", "bytea[]", `'{{"\\\\x00"},{"\\\\x01"}}'`, /column blobs: .*more dimensions than its column declares/],
    ["price", "numeric(5,2)", "'NaN'", /column price: /],
  ])("names the column whose values its mapped type cannot hold (%s %s)", async (column, type, value, message) => {
    const table = `misfit_${column}`;
    pg.sql(`SET ROLE shop; CREATE TABLE ${table} (id int PRIMARY KEY, fine text, ${column} ${type}, updated_at timestamptz NOT NULL DEFAULT now()); INSERT INTO ${table} (id, fine, ${column}) VALUES (1, 'a', NULL), (2, 'b', ${value});`, "shop");
    const destination = await openDestination({ type: "directory", path: tempDir() });
    const failure = await runExport({ name: table, spec: { table, cursor: "updated_at" }, connection: connection(), destination }).catch((error: unknown) => error as DevstackError);
    expect(failure).toBeInstanceOf(DevstackError);
    expect((failure as DevstackError).message).toMatch(new RegExp(`could not convert ${table} to Parquet: ${message.source}`));
    expect((failure as DevstackError).fix).toContain(`without ${column} (exports.${table}.columns)`);
    expect(await destination.readWatermark(table)).toBeUndefined();
  });

  it("stops at a part the destination fails to store, and moves no watermark", async () => {
    pg.sql("SET ROLE shop; CREATE TABLE stored (id int PRIMARY KEY, note text, updated_at timestamptz NOT NULL DEFAULT now()); INSERT INTO stored (id, note) SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g;", "shop");
    const real = await openDestination({ type: "directory", path: tempDir() });
    let puts = 0;
    const failing: Destination = {
      uri: real.uri,
      lock: (name) => real.lock(name),
      readWatermark: (name) => real.readWatermark(name),
      writeWatermark: (name, watermark) => real.writeWatermark(name, watermark),
      localFiles: (name, cacheDir) => real.localFiles(name, cacheDir),
      putPart: async (name, partition, part, file) => {
        if (++puts === 2) throw new Error("the bucket went away");
        return real.putPart(name, partition, part, file);
      },
    };
    process.env.DEVSTACK_EXPORT_CHUNK_BYTES = String(256 * 1024);
    try {
      await expect(runExport({ name: "stored", spec: { table: "stored", cursor: "updated_at" }, connection: connection(), destination: failing })).rejects.toThrow(/the bucket went away/);
    } finally {
      delete process.env.DEVSTACK_EXPORT_CHUNK_BYTES;
    }
    // About 17 chunks: the run stops within a part or two of the failure.
    expect(puts).toBeLessThanOrEqual(3);
    expect(await real.readWatermark("stored")).toBeUndefined();
  });

  it("fails loudly, and moves no watermark, when a row is longer than any line DuckDB will read", async () => {
    pg.sql("SET ROLE shop; CREATE TABLE huge (id int PRIMARY KEY, note text, updated_at timestamptz NOT NULL DEFAULT now()); INSERT INTO huge VALUES (1, 'small'), (2, repeat('x', 70000000));", "shop");
    const out = tempDir();
    const destination = await openDestination({ type: "directory", path: out });
    await expect(runExport({ name: "huge", spec: { table: "huge", cursor: "updated_at" }, connection: connection(), destination })).rejects.toThrow(/could not convert huge to Parquet/);
    expect(await destination.readWatermark("huge")).toBeUndefined();
  }, 60_000);
});
