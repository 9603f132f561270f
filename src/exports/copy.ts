import { open, rm, type FileHandle } from "node:fs/promises";
import type { ClientBase } from "pg";
import { BatchPool, fastParser, type CopyBatch } from "./copy-parser.js";
import { InternalError } from "../errors.js";
import { literal } from "./sql.js";
import { CHUNK_PREAMBLE, COPY_QUOTE, MAX_ROW_BYTES, tooLong } from "./parquet.js";

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

const QUOTE = COPY_QUOTE.charCodeAt(0);
const FLUSH_BYTES = 1 << 20;

/** Quotes in `buf`, at memchr speed: only long rows are read this way. */
function quotesIn(buf: Buffer): number {
  let n = 0;
  for (let p = buf.indexOf(QUOTE); p !== -1; p = buf.indexOf(QUOTE, p + 1)) n++;
  return n;
}

/**
 * Streams `COPY (query) TO STDOUT` (CSV, tab-separated, quoted with COPY_QUOTE) into chunk files of
 * about `maxBytes` each, cut at row boundaries, so a chunk's size on disk and
 * DuckDB's work on it are bounded whatever the rows' width. Node only moves
 * buffers: the COPY protocol says where rows end (copy-parser.ts), so their
 * bytes are never read, except a row long enough to be over the limit.
 * `onChunk` gets each finished chunk; the stream waits while it runs, so it
 * can hold the reader back. A row holding over MAX_ROW_BYTES
 * of text fails the copy as it streams. Returns the rows Postgres reported.
 */
export async function copyToFile(
  client: ClientBase,
  query: string,
  options: { file: (part: number) => string; maxBytes?: number; onChunk: (chunk: Chunk) => Promise<void> | void; onBytes?: (bytes: number) => void },
): Promise<number> {
  const { to } = await import("pg-copy-streams");
  // Object mode: each batch arrives as the parser made it, with its row count.
  const copy = to(`COPY (${query}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\t', QUOTE ${literal(COPY_QUOTE)})`, { objectMode: true });
  const pool = new BatchPool();
  (copy as unknown as { _parse: unknown })._parse = fastParser(pool);
  const stream = client.query(copy);
  const maxBytes = options.maxBytes ?? chunkBytes();
  let part = 0;
  let handle: FileHandle | undefined;
  let file = "";
  let queued: CopyBatch[] = [];
  let queuedBytes = 0;
  let chunk = { rows: 0, bytes: 0, longestRow: 0 };
  let total = 0;
  // Of the long row streaming now: bytes and quotes so far. Its text is shorter than printed: each quoted value adds two quotes, and one for each quote it holds.
  let pieceBytes = 0;
  let pieceQuotes = 0;

  const flush = async () => {
    if (queuedBytes === 0) return;
    if (!handle) {
      handle = await open((file = options.file(part++)), "w");
      await handle.write(CHUNK_PREAMBLE);
    }
    await handle.writev(queued.map((b) => b.data));
    for (const b of queued) if (b.buffer) pool.give(b.buffer);
    queued = [];
    queuedBytes = 0;
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
    for await (const batch of stream as AsyncIterable<CopyBatch>) {
      const { data } = batch;
      options.onBytes?.(data.length);
      // Rows in whole batches are under a megabyte: only a long row's pieces can be over the limit.
      if (batch.piece && batch.longestRow > MAX_ROW_BYTES) {
        pieceBytes += data.length;
        pieceQuotes += quotesIn(data);
        const text = pieceBytes - Math.ceil(pieceQuotes / 2);
        if (text > MAX_ROW_BYTES) throw tooLong(text);
      }
      if (batch.piece && batch.rows > 0) {
        pieceBytes = 0;
        pieceQuotes = 0;
      }
      queued.push(batch);
      queuedBytes += data.length;
      chunk.bytes += data.length;
      chunk.rows += batch.rows;
      chunk.longestRow = Math.max(chunk.longestRow, batch.longestRow);
      if (batch.rows > 0 && chunk.bytes >= maxBytes) await finish();
      else if (queuedBytes >= FLUSH_BYTES) await flush();
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
