import { mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { UsageError } from "../errors.js";
import { duckdb } from "./duckdb.js";
import { literal, quoteIdent } from "./sql.js";

/** What bounds DuckDB's memory while it runs a query: past the limit it spills to the temp directory. */
export interface QueryLimits {
  /** DuckDB's memory_limit, e.g. "256MB". */
  memoryLimit: string;
  /** Where DuckDB spills when a sort, join or aggregate outgrows the limit. */
  tempDirectory: string;
  /** DuckDB's worker threads; each one reading Parquet holds its own row group. */
  threads?: number;
}

export const DEFAULT_MEMORY_LIMIT = "256MB";

/** One chunk of a streamed result (DuckDB's vector size, 2048 rows), as JSON values: BIGINT and DECIMAL are strings. */
export type RowChunk = Record<string, unknown>[];

export interface StreamedQuery {
  columns: string[];
  rows: number;
}

const QUERY_FORMATS = { ".parquet": "parquet", ".csv": "csv", ".json": "json", ".jsonl": "json", ".ndjson": "json" } as const;
export type QueryFormat = (typeof QUERY_FORMATS)[keyof typeof QUERY_FORMATS];

/** The format a result file's name asks for, or undefined for a name devstack does not know how to write. */
export function queryFormat(file: string): QueryFormat | undefined {
  const lower = file.toLowerCase();
  for (const [ext, format] of Object.entries(QUERY_FORMATS)) if (lower.endsWith(ext)) return format;
  return undefined;
}

/** queryFormat, or a usage error naming the names devstack can write. */
export function requireQueryFormat(file: string): QueryFormat {
  const format = queryFormat(file);
  if (!format) throw new UsageError(`cannot tell what to write to ${file}`, "name the file .parquet, .csv, .json or .jsonl");
  return format;
}

export interface CopiedQuery extends StreamedQuery {
  file: string;
  format: QueryFormat;
  bytes: number;
}

/**
 * Opens DuckDB with the exports as views (each named after its export, with
 * its hive partition, exported_at, as a column), runs `use`, and closes it.
 * DuckDB reads only the row groups and columns a query needs.
 */
async function withViews<T>(views: Record<string, string[]>, limits: QueryLimits, use: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const { DuckDBInstance } = duckdb();
  mkdirSync(limits.tempDirectory, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    memory_limit: limits.memoryLimit,
    temp_directory: limits.tempDirectory,
    ...(limits.threads ? { threads: String(limits.threads) } : {}),
  });
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    for (const [name, files] of Object.entries(views)) {
      if (files.length === 0) continue;
      const list = files.map(literal).join(", ");
      await connection.run(`CREATE VIEW ${quoteIdent(name)} AS SELECT * FROM read_parquet([${list}], hive_partitioning = true, union_by_name = true)`);
    }
    return await use(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * SQL over exported Parquet files, streamed: `onChunk` gets each chunk as
 * DuckDB produces it and is awaited before the next is fetched, so a slow
 * reader holds back DuckDB instead of the result piling up in memory.
 * `onColumns` comes first, before any row, so a header can be printed even
 * for an empty result.
 */
export async function queryExports(
  views: Record<string, string[]>,
  sql: string,
  limits: QueryLimits,
  handlers: { onColumns?: (columns: string[]) => void | Promise<void>; onChunk: (rows: RowChunk) => void | Promise<void> },
): Promise<StreamedQuery> {
  return withViews(views, limits, async (connection) => {
    const result = await userSql(() => connection.stream(sql));
    const columns = result.deduplicatedColumnNames();
    await handlers.onColumns?.(columns);
    let rows = 0;
    for await (const chunk of result.yieldRowObjectJson()) {
      rows += chunk.length;
      await handlers.onChunk(chunk as RowChunk);
    }
    return { columns, rows };
  });
}

/** A mistake in the user's SQL (DuckDB's parser or binder) is theirs to fix, not an unexpected failure. */
async function userSql<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!/^(Parser|Binder|Catalog) Error/.test(message)) throw error;
    throw new UsageError(`the query failed: ${message}`, "each export is a view named after it, with its columns and exported_at; see `devstack export --dry-run` for them");
  }
}

/** The query without what COPY cannot take around it: trailing semicolons and whitespace. */
function bare(sql: string): string {
  return sql.replace(/[\s;]+$/, "");
}

/**
 * SQL over exported Parquet files, written to a file by DuckDB's own COPY, so
 * the result streams through DuckDB and never through JavaScript. The file
 * appears whole or not at all: DuckDB writes a dot-name beside it, which is
 * renamed once complete.
 */
export async function copyQuery(views: Record<string, string[]>, sql: string, file: string, limits: QueryLimits): Promise<CopiedQuery> {
  const format = requireQueryFormat(file);
  const query = bare(sql);
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
  const options = format === "parquet" ? "FORMAT parquet, COMPRESSION zstd" : format === "csv" ? "FORMAT csv, HEADER true" : "FORMAT json";
  return withViews(views, limits, async (connection) => {
    const prepared = await userSql(() => connection.prepare(query));
    const columns = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i));
    prepared.destroySync();
    try {
      const reader = await userSql(() => connection.runAndReadAll(`COPY (${query}) TO ${literal(temp)} (${options})`));
      const rows = Number(reader.getRows()[0]?.[0] ?? 0);
      renameSync(temp, file);
      return { columns, rows, file, format, bytes: statSync(file).size };
    } finally {
      rmSync(temp, { force: true });
    }
  });
}
