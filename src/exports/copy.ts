import { open, rm, type FileHandle } from "node:fs/promises";
import type { ClientBase } from "pg";
import { fastParser } from "./copy-parser.js";
import { InternalError } from "../errors.js";
import { MAX_ROW_BYTES, tooLong } from "./parquet.js";

/** One finished chunk file: whole rows only. */
export interface Chunk {
  file: string;
  rows: number;
  bytes: number;
  /** Bytes of the longest row, as COPY printed it (newline included). */
  longestRow: number;
}

/** Bytes of COPY text per chunk; DEVSTACK_EXPORT_CHUNK_BYTES tunes it. */
function chunkBytes(): number {
  const value = Number(process.env.DEVSTACK_EXPORT_CHUNK_BYTES);
  return Number.isInteger(value) && value > 0 ? value : 256 * 1024 * 1024;
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const FLUSH_BYTES = 1 << 20;

/**
 * Finds where rows end in Postgres's CSV COPY output. A newline ends a row
 * unless it is inside quotes; quotes inside a quoted value are doubled and
 * unquoted values never hold one, so quote parity says which is which.
 */
export class RowScanner {
  private inQuote = false;
  /** Quotes passed since the caller last reset it: half of them are not the value's own text. */
  quotes = 0;

  /** The index of the next row-ending newline at or after `from`, or -1 when the row goes on past `buf`. */
  next(buf: Buffer, from: number): number {
    let p = from;
    for (;;) {
      if (this.inQuote) {
        // Short quoted runs (JSON's doubled quotes) by a byte loop; a long value (megabytes of text) by indexOf, at memchr speed.
        let quote = -1;
        for (const stop = Math.min(buf.length, p + 64); p < stop; p++) {
          if (buf[p] === QUOTE) {
            quote = p;
            break;
          }
        }
        if (quote === -1 && p < buf.length) quote = buf.indexOf(QUOTE, p);
        if (quote === -1) return -1;
        this.quotes++;
        this.inQuote = false;
        p = quote + 1;
        continue;
      }
      // Unquoted fields are short, or plain text a byte loop reads at hundreds of MB/s; a call per quote would cost more.
      for (; p < buf.length; p++) {
        const c = buf[p];
        if (c === NEWLINE) return p;
        if (c === QUOTE) break;
      }
      if (p === buf.length) return -1;
      this.quotes++;
      this.inQuote = true;
      p++;
    }
  }
}

/**
 * Streams `COPY (query) TO STDOUT` (CSV, tab-separated) into chunk files of
 * about `maxBytes` each, cut at row boundaries, so a chunk's size on disk and
 * DuckDB's work on it are bounded whatever the rows' width. Node only moves
 * buffers (and finds row ends with indexOf). `onChunk` gets each finished
 * chunk; the stream waits while it runs, so it can hold the reader back.
 * A row holding over `maxRowBytes` (MAX_ROW_BYTES) of text fails the copy as it streams.
 * Returns the rows Postgres reported.
 */
export async function copyToFile(
  client: ClientBase,
  query: string,
  options: { file: (part: number) => string; maxBytes?: number; maxRowBytes?: number; onChunk: (chunk: Chunk) => Promise<void> | void; onBytes?: (bytes: number) => void },
): Promise<number> {
  const { to } = await import("pg-copy-streams");
  const copy = to(`COPY (${query}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\t')`);
  (copy as unknown as { _parse: unknown })._parse = fastParser();
  const stream = client.query(copy);
  const scanner = new RowScanner();
  const maxBytes = options.maxBytes ?? chunkBytes();
  const maxRowBytes = options.maxRowBytes ?? MAX_ROW_BYTES;
  let part = 0;
  let handle: FileHandle | undefined;
  let file = "";
  let queued: Buffer[] = [];
  let queuedBytes = 0;
  let chunk = { rows: 0, bytes: 0, longestRow: 0 };
  let rowBytes = 0;
  let total = 0;
  // The row's text without CSV's quoting: each quoted value adds two quotes, and one for each quote it holds.
  const textBytes = () => rowBytes - Math.ceil(scanner.quotes / 2);

  const flush = async () => {
    if (queuedBytes === 0) return;
    handle ??= await open((file = options.file(part++)), "w");
    await handle.writev(queued);
    queued = [];
    queuedBytes = 0;
  };
  const write = async (piece: Buffer) => {
    if (piece.length === 0) return;
    queued.push(piece);
    queuedBytes += piece.length;
    chunk.bytes += piece.length;
    if (queuedBytes >= FLUSH_BYTES) await flush();
  };
  const finish = async () => {
    await flush();
    if (!handle) return;
    await handle.close();
    handle = undefined;
    const done = { file, ...chunk };
    total += chunk.rows;
    chunk = { rows: 0, bytes: 0, longestRow: 0 };
    await options.onChunk(done);
  };

  try {
    for await (const data of stream as AsyncIterable<Buffer>) {
      options.onBytes?.(data.length);
      let start = 0;
      let from = 0;
      for (;;) {
        const end = scanner.next(data, from);
        if (end === -1) {
          rowBytes += data.length - from;
          if (textBytes() > maxRowBytes) throw tooLong(textBytes());
          await write(data.subarray(start));
          break;
        }
        rowBytes += end + 1 - from;
        if (textBytes() > maxRowBytes) throw tooLong(textBytes());
        chunk.rows++;
        chunk.longestRow = Math.max(chunk.longestRow, rowBytes);
        rowBytes = 0;
        scanner.quotes = 0;
        from = end + 1;
        if (chunk.bytes + (from - start) >= maxBytes) {
          await write(data.subarray(start, from));
          start = from;
          await finish();
        }
      }
    }
    await finish();
  } catch (error) {
    stream.destroy();
    await handle?.close().catch(() => {});
    if (handle) await rm(file, { force: true });
    throw error;
  }
  if (total !== stream.rowCount) throw new InternalError(`COPY reported ${stream.rowCount} rows but ${total} were found in its output`);
  return total;
}
