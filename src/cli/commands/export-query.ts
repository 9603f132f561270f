import { once } from "node:events";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { userDirs } from "../../fs/paths.js";
import type { Destination } from "../../exports/destination.js";
import { copyQuery, DEFAULT_MEMORY_LIMIT, queryExports, queryFormat, requireQueryFormat, type QueryLimits, type RowChunk } from "../../exports/query.js";
import { colors, out, printResult, thousands } from "../output.js";

export interface QueryOptions {
  query: string;
  json?: boolean;
  /** The export destination to read (a directory or URI), as for a run. */
  out?: string;
  /** Where to write the result instead of printing it: .parquet, .csv, .json or .jsonl. */
  queryOut?: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visible = (text: string) => text.replace(ANSI, "").length;

/** Waits while stdout's buffer is full (a pipe whose reader is slower than DuckDB), so rows wait in DuckDB, not in memory. */
async function drained(): Promise<void> {
  if (process.stdout.writableNeedDrain) await once(process.stdout, "drain");
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return colors.dim("NULL");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * A table printed chunk by chunk: its column widths come from the header and
 * the first chunk; a wider cell later just pushes its row's next columns right.
 */
class StreamingTable {
  private widths: number[] | undefined;
  private header: string[] = [];

  constructor(private readonly columns: string[]) {}

  private line(cells: string[], widths: number[]): string {
    return cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat(Math.max(0, (widths[i] ?? 0) - visible(c)))))
      .join("  ")
      .trimEnd();
  }

  chunk(rows: RowChunk): string {
    const cells = rows.map((r) => this.columns.map((c) => cell(r[c])));
    const lines: string[] = [];
    if (!this.widths) {
      this.header = this.columns.map((c) => colors.dim(c));
      this.widths = this.header.map((h, i) => Math.max(visible(h), ...cells.map((row) => visible(row[i] ?? ""))));
      lines.push(this.line(this.header, this.widths));
    }
    const widths = this.widths;
    for (const row of cells) lines.push(this.line(row, widths));
    return lines.join("\n");
  }

  /** The header alone, for a result with no rows. */
  end(): string | undefined {
    return this.widths ? undefined : this.chunk([]);
  }
}

/** A --query-out path given as --out: --out names the exports to read, so say which flag writes a file. */
function misplacedOut(options: QueryOptions): void {
  if (options.out === undefined || options.queryOut !== undefined) return;
  if (queryFormat(options.out) === undefined || (existsSync(options.out) && statSync(options.out).isDirectory())) return;
  throw new UsageError(`--out names the export destination to read from, not a file to write: ${options.out}`, `to write the result to a file, use --query-out ${options.out}`);
}

/**
 * `devstack export --query`: SQL over what was exported, streamed to stdout
 * (a table, or with --json one `row` event per row and then the result line)
 * or, with --query-out, written to a file by DuckDB.
 */
export async function query(destination: Destination, names: string[], cacheKey: string, options: QueryOptions): Promise<number> {
  misplacedOut(options);
  // Before anything is downloaded.
  if (options.queryOut !== undefined) requireQueryFormat(options.queryOut);
  const cache = join(userDirs().cache, "exports", cacheKey);
  const views: Record<string, string[]> = {};
  for (const name of names) views[name] = await destination.localFiles(name, cache);
  const empty = names.filter((n) => views[n]?.length === 0);
  if (empty.length === names.length) throw new UsageError(`nothing exported yet to ${destination.uri} for ${names.join(", ")}`, "run `devstack export` first");
  const limits: QueryLimits = { memoryLimit: process.env.DEVSTACK_QUERY_MEMORY ?? DEFAULT_MEMORY_LIMIT, tempDirectory: join(cache, "duckdb-tmp") };
  const sql = options.query;

  if (options.queryOut !== undefined) {
    const file = resolve(options.queryOut);
    const r = await copyQuery(views, sql, file, limits);
    if (options.json) printResult("export", { query: sql, columns: r.columns, rows: r.rows, file: r.file, format: r.format, bytes: r.bytes });
    else out(`${thousands(r.rows)} row${r.rows === 1 ? "" : "s"} → ${r.file} (${r.format}, ${thousands(r.bytes)} bytes)`);
    return 0;
  }

  if (options.json) {
    const r = await queryExports(views, sql, limits, {
      onChunk: async (rows) => {
        // One write per chunk: each line is what printEvent("row", { row }) prints, without 2048 writes.
        out(rows.map((row) => JSON.stringify({ type: "event", event: "row", row })).join("\n"));
        await drained();
      },
    });
    printResult("export", { query: sql, columns: r.columns, rows: r.rows });
    return 0;
  }

  let printer: StreamingTable | undefined;
  const r = await queryExports(views, sql, limits, {
    onColumns: (columns) => {
      printer = new StreamingTable(columns);
    },
    onChunk: async (rows) => {
      out((printer as StreamingTable).chunk(rows));
      await drained();
    },
  });
  const header = printer?.end();
  if (header) out(header);
  out(colors.dim(`${thousands(r.rows)} row${r.rows === 1 ? "" : "s"}`));
  return 0;
}
