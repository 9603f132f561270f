import { availableParallelism } from "node:os";
import { carefully, type ColumnRoute } from "./type-map.js";
import { literal, quoteIdent } from "./sql.js";
import { DevstackError } from "../errors.js";
import { openDuckSession, type DuckSession } from "./duckdb-worker.js";

export type Compression = "zstd" | "snappy" | "gzip" | "uncompressed";

/**
 * The quote of the CSV COPY both sides agree on: a control character, not
 * `"`. With `"`, every JSON value is quoted and its quotes doubled, which
 * sends DuckDB's CSV reader down its slow path (measured: reading a 1M-row
 * orders table cost 2.1 s of CPU with `"`, 1.3 s with this). A value holding
 * it is still quoted and its own doubled, so every byte but NUL (which text
 * cannot hold) comes back as it was.
 */
export const COPY_QUOTE = "\x01";

/**
 * The line every chunk file starts with, which DuckDB skips: it drops a
 * byte-order mark at the start of a file, which must not eat a first text
 * value's leading U+FEFF. (A constant first column did the same at a cost of
 * 0.2 s of Postgres CPU per 1M rows.)
 */
export const CHUNK_PREAMBLE = "devstack export chunk\n";

const MiB = 1024 * 1024;

/** Rows up to this long are read in parallel, in buffers of twice the longest (at least MIN_LINE); longer ones one thread at a time, in a buffer that holds the row. */
const PARALLEL_LINE = 8 * MiB;
const MIN_LINE = 2 * MiB;

/**
 * The most text a row may hold: 64 MiB and a little for its other columns.
 * COPY prints it longer when it quotes (up to twice, for a value of COPY_QUOTE);
 * DuckDB needs about four times the printed row to convert it, so the memory
 * cap is raised for such a chunk only.
 */
export const MAX_ROW_BYTES = 65 * MiB;

interface Pass {
  maxLine: number;
  buffer: number;
  threads: number;
  memory: number;
  rowGroupBytes: number;
  /** Bytes of a column's dictionary; 0 leaves DuckDB's default. A row of many MB would otherwise be copied into it too. */
  dictionary: number;
}

/**
 * DuckDB's read_csv settings for that CSV COPY format, tab-separated:
 * DuckDB unquotes values as it parses, so text needs no pass afterwards. An
 * unquoted empty field is NULL, a quoted one the empty string.
 */
function readCopySql(file: string, routes: ColumnRoute[], pass: Pass): string {
  const columns = routes.map((r) => `${literal(r.name)}: ${literal(r.csvType)}`).join(", ");
  return `read_csv(${literal(file)}, columns = {${columns}}, header = false, skip = 1, delim = '\t', quote = ${literal(COPY_QUOTE)}, escape = ${literal(COPY_QUOTE)}, nullstr = '', allow_quoted_nulls = false, auto_detect = false, new_line = '\\n', max_line_size = ${pass.maxLine}, buffer_size = ${pass.buffer})`;
}

function convertSql(csvFile: string, routes: ColumnRoute[], parquetFile: string, compression: Compression, pass: Pass): string {
  const select = routes.map((r) => (r.convert === quoteIdent(r.name) ? r.convert : `${r.convert} AS ${quoteIdent(r.name)}`)).join(", ");
  const dictionary = pass.dictionary > 0 ? `, DICTIONARY_SIZE_LIMIT ${pass.dictionary}` : "";
  // Level 1, as pyarrow writes it: DuckDB's default (3) cost 0.3 s more CPU per 1M orders rows for files a sixth smaller (25 against 30 MB).
  const level = compression === "zstd" ? ", COMPRESSION_LEVEL 1" : "";
  // Each thread holds a row group until it is full: bytes bound it too, so threads × row group fit the memory cap.
  return `COPY (SELECT ${select} FROM ${readCopySql(csvFile, routes, pass)}) TO ${literal(parquetFile)} (FORMAT parquet, COMPRESSION ${compression}${level}, ROW_GROUP_SIZE 122880, ROW_GROUP_SIZE_BYTES ${pass.rowGroupBytes}${dictionary})`;
}

/**
 * DuckDB converts one chunk while Postgres streams the next; a thread or two
 * more than the cores keeps it busy while it waits on the disk (measured with
 * npm run bench:export). DEVSTACK_EXPORT_THREADS overrides.
 */
function defaultThreads(): number {
  return Number(process.env.DEVSTACK_EXPORT_THREADS) || Math.min(4, availableParallelism() + 1);
}

function bytesOf(size: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$/i.exec(size);
  if (!match) throw new DevstackError(`memory limit ${size} is not a size like 256MB`, { exitCode: 2 });
  return Math.round(Number(match[1]) * 1024 ** "_KMGT".indexOf((match[2] || "_").toUpperCase()));
}

/**
 * One in-process DuckDB for a run, on a thread of its own. Its memory is capped and it spills to
 * `tempDir`, so a wide chunk cannot grow the process without bound: rows up
 * to PARALLEL_LINE are read by every thread, each holding two read buffers
 * and a row group sized to its share of the cap; a chunk with a longer row is
 * read by one thread, with the cap raised to what that row needs.
 */
export class ParquetWriter {
  private constructor(
    private readonly connection: DuckSession,
    private readonly memory: number,
    private readonly threads: number,
  ) {}

  static async open(options: { tempDir: string; memoryLimit?: string; threads?: number }): Promise<ParquetWriter> {
    const memory = bytesOf(options.memoryLimit ?? "256MB");
    const threads = options.threads ?? defaultThreads();
    const connection = await openDuckSession({
      memory_limit: `${Math.floor(memory / MiB)}MiB`,
      temp_directory: options.tempDir,
      threads: String(threads),
      // Nothing is fetched from the network: the parquet and json extensions are built in.
      autoinstall_known_extensions: "false",
    });
    // Without insertion order DuckDB streams rows into row groups as they come and honours ROW_GROUP_SIZE_BYTES.
    await connection.run("SET preserve_insertion_order = false; SET TimeZone = 'UTC'");
    return new ParquetWriter(connection, memory, threads);
  }

  private pass(longestRow: number): Pass {
    if (longestRow <= PARALLEL_LINE) {
      // Per thread: two buffers (4 to 32 MiB) and a row group of an eighth of its share of the cap, the rest for DuckDB's own working set.
      const rowGroupBytes = Math.max(4 * MiB, Math.min(64 * MiB, Math.floor(this.memory / (8 * this.threads))));
      // Buffers no larger than the rows need: unquoted values point into them, so a row group in the making keeps several alive (16 MiB ones ran a 100 kB-row chunk out of a 256 MiB cap now and then).
      const line = Math.max(MIN_LINE, Math.ceil((longestRow + 1) / MiB) * MiB);
      return { maxLine: line, buffer: 2 * line, threads: this.threads, memory: this.memory, rowGroupBytes, dictionary: 0 };
    }
    // One thread; the buffer holds the longest row, and DuckDB holds it about four times over (read, parsed, row group, page).
    const line = Math.ceil((longestRow + 1) / MiB) * MiB;
    return { maxLine: line, buffer: line, threads: 1, memory: Math.max(this.memory, 4 * line + 32 * MiB), rowGroupBytes: 64 * MiB, dictionary: 1024 };
  }

  /**
   * Converts one chunk of `rows` rows whose longest is `longestRow` bytes.
   * DuckDB drops a line longer than its limit without a word, so the count
   * written is checked too.
   */
  async convert(csvFile: string, routes: ColumnRoute[], parquetFile: string, rows: number, longestRow: number, compression: Compression = "zstd"): Promise<void> {
    if (longestRow > 2 * MAX_ROW_BYTES + MiB) throw tooLong(longestRow);
    const pass = this.pass(longestRow);
    const special = pass.threads !== this.threads || pass.memory !== this.memory;
    if (special) await this.connection.run(`SET threads = ${pass.threads}; SET memory_limit = '${Math.ceil(pass.memory / MiB)}MiB'`);
    let written: number;
    const run = (as: ColumnRoute[]) => this.connection.run(convertSql(csvFile, as, parquetFile, compression, pass));
    try {
      written = await run(routes)
        .catch((error: unknown) => {
          // A value only the careful read takes (a BC timestamp) fails the direct one: such a chunk is read again, the careful way; a real failure fails both.
          if (!routes.some((r) => r.careful)) throw error;
          return run(routes.map(carefully));
        })
        .catch(async (error: unknown) => {
          throw (await this.culprit(csvFile, routes, pass)) ?? error;
        });
    } finally {
      if (special) await this.connection.run(`SET threads = ${this.threads}; SET memory_limit = '${Math.floor(this.memory / MiB)}MiB'`);
    }
    if (written !== rows) {
      throw new DevstackError(`${rows - written} of ${rows} rows did not reach the Parquet file`, {
        kind: "failed",
        fix: "this is a bug in devstack export: report it with the table's column types (`devstack export --dry-run`); nothing of this run was published",
      });
    }
  }

  /**
   * The first column whose values fail its conversion on their own, with that
   * failure, when the chunk does; undefined when the CSV itself does not read
   * or no column fails for its values alone (out of memory, say). Halves of
   * the columns are tried, so a wide table costs a few passes, not one each.
   */
  private async culprit(csvFile: string, routes: ColumnRoute[], pass: Pass): Promise<ColumnError | undefined> {
    const asText = readCopySql(csvFile, routes.map((r) => ({ ...r, csvType: "VARCHAR" })), pass);
    const failure = (sql: string) => this.connection.run(sql).then(() => undefined, (error: unknown) => error as Error);
    const valuesFail = (error: Error | undefined) => error !== undefined && /^(Conversion|Invalid Input) Error/.test(error.message);
    // hash() makes DuckDB compute every value.
    const probe = (some: ColumnRoute[]) => {
      const typed = some.map((r) => `CAST(${quoteIdent(r.name)} AS ${r.csvType}) AS ${quoteIdent(r.name)}`).join(", ");
      return failure(`SELECT ${some.map((r) => `bit_xor(hash(${r.convert}))`).join(", ")} FROM (SELECT ${typed} FROM ${asText})`);
    };
    if (await failure(`SELECT count(*) FROM ${asText}`)) return undefined;
    // Read the careful way: a BC timestamp is no misfit.
    let suspects = routes.map(carefully);
    if (!valuesFail(await probe(suspects))) return undefined;
    while (suspects.length > 1) {
      const left = suspects.slice(0, Math.ceil(suspects.length / 2));
      const error = await probe(left);
      if (error !== undefined && !valuesFail(error)) return undefined;
      suspects = error ? left : suspects.slice(left.length);
    }
    const [column] = suspects;
    // Its own failure: a probe of several columns reports whichever DuckDB met first.
    const error = column && (await probe([column]));
    return column && error && valuesFail(error) ? new ColumnError(column.name, error) : undefined;
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

/** A chunk that failed to convert, with the column whose values did not fit. */
export class ColumnError extends Error {
  constructor(
    readonly column: string,
    cause: Error,
  ) {
    super(`column ${column}: ${cause.message.split("\n")[0]}`, { cause });
  }
}

/** What a row holding over MAX_ROW_BYTES of text fails the run with: how long it is, what the limit is, and how to get the rest out. */
export function tooLong(bytes: number): DevstackError {
  const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
  return new DevstackError(`a row holds over ${mib(bytes)} of text, more than the ${mib(MAX_ROW_BYTES)} a row may hold (64 MiB for a value and a little for its other columns)`, {
    kind: "failed",
    fix: "leave the long column out of the export (its columns: setting; `devstack export --dry-run` lists them), or export a view that shortens it; nothing of this run was published",
  });
}
