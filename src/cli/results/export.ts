import { z } from "zod";
import { result, steps } from "./lines.js";

const exported = z.strictObject({
  export: z.string(),
  table: z.string(),
  mode: z.enum(["full", "incremental"]),
  rows: z.number().int().nonnegative(),
  partition: z.string(),
  files: z.array(z.string()),
  parquetBytes: z.number().nonnegative(),
  from: z.string().optional(),
  to: z.string().optional(),
  warnings: z.array(z.string()),
  scan: z.enum(["index", "table"]),
  oldestTransaction: z.strictObject({ pid: z.number().int(), database: z.string(), ageSeconds: z.number().int().nonnegative(), holdsBack: z.boolean() }).optional(),
  seconds: z.number().nonnegative(),
  rowsPerSecond: z.number().nonnegative(),
});

const plan = z.strictObject({
  export: z.string(),
  table: z.string(),
  destination: z.string(),
  mode: z.enum(["full", "incremental"]),
  from: z.string().optional(),
  cursor: z.strictObject({ column: z.string(), type: z.string(), nullable: z.boolean() }),
  key: z.array(z.string()),
  columns: z.array(z.strictObject({ name: z.string(), postgres: z.string(), parquet: z.string() })),
  filter: z.string(),
  scan: z.enum(["index", "table"]),
  index: z.string().optional(),
  warnings: z.array(z.string()),
});

/** `devstack export --json`: a run (after its step events), a --dry-run plan, or a --query's row count (its rows are events before it) or file. */
export const schema = z.union([
  result("export", { dryRun: z.literal(false), destination: z.string(), exports: z.array(exported), maxRssMb: z.number().int().nonnegative(), steps }),
  result("export", { dryRun: z.literal(true), exports: z.array(plan) }),
  // --query: the rows came before as row events; here how many there were.
  result("export", { query: z.string(), columns: z.array(z.string()), rows: z.number().int().nonnegative() }),
  // --query --query-out: the rows went to the file.
  result("export", { query: z.string(), columns: z.array(z.string()), rows: z.number().int().nonnegative(), file: z.string(), format: z.enum(["parquet", "csv", "json"]), bytes: z.number().int().nonnegative() }),
]);

/** One row of a --query result with --json, before the result: `{"type":"event","event":"row","row":{...}}`. */
export const rowEvent = z.strictObject({ type: z.literal("event"), event: z.literal("row"), row: z.record(z.string(), z.unknown()) });
