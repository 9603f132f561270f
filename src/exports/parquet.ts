import { availableParallelism } from "node:os";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { ColumnRoute } from "./type-map.js";
import { literal, quoteIdent } from "./sql.js";
import { DevstackError } from "../errors.js";

export type Compression = "zstd" | "snappy" | "gzip" | "uncompressed";

/**
 * DuckDB's read_csv settings for Postgres's text COPY format: tab-separated,
 * no quoting, \N for NULL (an empty field is the empty string). Text format,
 * not CSV, because Postgres formats it faster (measured: bench:export).
 */
/**
 * Every COPY row starts with a constant: DuckDB drops a byte-order mark at
 * the start of a file, which must not eat a first text value's leading U+FEFF.
 */
const LEAD_COLUMN = "_devstack_lead";
export const LEAD_SOURCE = "0";

/** Lines DuckDB reads: 8 MB in 16 MB buffers first (parallel and fast), 64 MB when a row is longer (one buffer per line). */
const LINE_LIMITS = [
  { maxLine: 8 * 1024 * 1024, buffer: 16 * 1024 * 1024 },
  { maxLine: 64 * 1024 * 1024, buffer: 64 * 1024 * 1024 },
] as const;

function readCopySql(file: string, routes: ColumnRoute[], limits: (typeof LINE_LIMITS)[number] = LINE_LIMITS[0]): string {
  const columns = [`${literal(LEAD_COLUMN)}: 'INTEGER'`, ...routes.map((r) => `${literal(r.name)}: ${literal(r.csvType)}`)].join(", ");
  // A row is one line. A buffer must hold a line; DuckDB's default buffer (16 lines) would outgrow its memory cap.
  return `read_csv(${literal(file)}, columns = {${columns}}, header = false, delim = '\t', quote = '', escape = '', nullstr = '\\N', allow_quoted_nulls = false, auto_detect = false, new_line = '\\n', max_line_size = ${limits.maxLine}, buffer_size = ${limits.buffer})`;
}

/**
 * Undoes the escapes text COPY puts in text values (\\ \t \n \r \b \f \v).
 * Escaped backslashes go first, parked as NUL, which Postgres text can never
 * hold, so what remains of a backslash starts a real escape.
 */
export function unescapeSql(column: string): string {
  const steps: [string, string][] = [["t", "chr(9)"], ["n", "chr(10)"], ["r", "chr(13)"], ["b", "chr(8)"], ["f", "chr(12)"], ["v", "chr(11)"]];
  let expr = `replace(${column}, '\\\\', chr(0))`;
  for (const [letter, char] of steps) expr = `replace(${expr}, '\\${letter}', ${char})`;
  return `CASE WHEN contains(${column}, '\\') THEN replace(${expr}, chr(0), '\\') ELSE ${column} END`;
}

// Rows with large out-of-line values make 122,880 rows far more than DuckDB's memory cap; bytes bound a row group too.
function convertSql(csvFile: string, routes: ColumnRoute[], parquetFile: string, compression: Compression, limits: (typeof LINE_LIMITS)[number] = LINE_LIMITS[0]): string {
  const raw = routes.map((r) => (r.csvType === "VARCHAR" && r.escapes !== false ? `${unescapeSql(quoteIdent(r.name))} AS ${quoteIdent(r.name)}` : quoteIdent(r.name))).join(", ");
  const select = routes.map((r) => (r.convert === quoteIdent(r.name) ? r.convert : `${r.convert} AS ${quoteIdent(r.name)}`)).join(", ");
  return `COPY (SELECT ${select} FROM (SELECT ${raw} FROM ${readCopySql(csvFile, routes, limits)})) TO ${literal(parquetFile)} (FORMAT parquet, COMPRESSION ${compression}, ROW_GROUP_SIZE 122880, ROW_GROUP_SIZE_BYTES '64MB')`;
}

/**
 * DuckDB converts one chunk while Postgres streams the next; a thread or two
 * more than the cores keeps it busy while it waits on the disk (measured with
 * npm run bench:export). DEVSTACK_EXPORT_THREADS overrides.
 */
function defaultThreads(): number {
  return Number(process.env.DEVSTACK_EXPORT_THREADS) || Math.min(4, availableParallelism() + 1);
}

/**
 * One in-process DuckDB for a run. Its memory is capped and it spills to
 * `tempDir`, so a wide chunk cannot grow the process without bound.
 */
export class ParquetWriter {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(options: { tempDir: string; memoryLimit?: string; threads?: number }): Promise<ParquetWriter> {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:", {
      memory_limit: options.memoryLimit ?? "256MB",
      temp_directory: options.tempDir,
      threads: String(options.threads ?? defaultThreads()),
      // Nothing is fetched from the network: the parquet and json extensions are built in.
      autoinstall_known_extensions: "false",
    });
    const connection = await instance.connect();
    await connection.run("SET preserve_insertion_order = false; SET TimeZone = 'UTC'");
    return new ParquetWriter(instance, connection);
  }

  /**
   * Converts one chunk of `rows` rows. DuckDB drops a line longer than its
   * limit without a word, so the count written is checked: a chunk that
   * comes up short is read again with room for long rows, and fails the run
   * if it still does.
   */
  async convert(csvFile: string, routes: ColumnRoute[], parquetFile: string, rows: number, compression: Compression = "zstd"): Promise<void> {
    let written = 0;
    for (const limits of LINE_LIMITS) {
      try {
        written = Number((await this.connection.run(convertSql(csvFile, routes, parquetFile, compression, limits))).rowsChanged);
      } catch (error) {
        if (!/line size/i.test((error as Error).message) || limits === LINE_LIMITS.at(-1)) throw error;
        continue;
      }
      if (written === rows) return;
    }
    throw new DevstackError(`${rows - written} of ${rows} rows did not reach the Parquet file (a row over ${LINE_LIMITS.at(-1)?.maxLine} bytes of text?)`, {
      kind: "failed",
      fix: "leave the very long text column out of the export (its columns setting), or shorten those values; nothing of this run was published",
    });
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
