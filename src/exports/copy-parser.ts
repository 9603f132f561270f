// pg-copy-streams 7.0.0 (pinned exactly in package.json) parses CopyData
// row by row; this replaces its private _parse with one that batches. It
// relies on that version's internals (_buffer, _detach, _cleanup): a new
// version must be checked against src/exports/copy-parser.test.ts first.

/** The parts of pg-copy-streams' CopyToStreamQuery its parser works with. */
interface CopyToInternals {
  _buffer: { push(chunk: Buffer): void };
  _detach(): void;
  _cleanup(): void;
  push(chunk: CopyBatch | null): boolean;
}

/**
 * What the parser hands on (the stream must be in object mode, so batches
 * are never merged). Postgres sends each row of COPY TO as one CopyData
 * message, so rows are counted and measured from the protocol alone, without
 * reading their bytes.
 */
export interface CopyBatch {
  /** Whole rows; or, for a row longer than a batch, a piece of that row alone. */
  data: Buffer;
  /** Rows that end in this batch. */
  rows: number;
  /** Bytes of the longest row ending in this batch (or, for a piece, of the row it belongs to), as COPY printed it. */
  longestRow: number;
  /** True for a piece of one long row: the piece that ends it has rows = 1. */
  piece: boolean;
  /** The pool's buffer `data` lies in: give it back (BatchPool.give) once `data` is written, not before. */
  buffer?: Buffer;
}

const ERROR_RESPONSE = 0x45;
const COPY_DATA = 0x64;
/** Messages that may come between CopyData ones (CopyOutResponse, ParameterStatus, NoticeResponse, NotificationResponse); any other ends the copy. */
const INTERSPERSED = new Set([0x48, 0x53, 0x4e, 0x41]);
/** Rows go on in batches of about this size, not one per socket read (Postgres sends 8 kB at a time). */
const BATCH = 1 << 20;

/**
 * The parser's batch buffers, given back once written and used again. A new
 * megabyte each time cost page faults, and a batch that lives until it is
 * written reaches V8's old space, where only a full collection frees it
 * (measured: 14 full collections in a 1M-row export, 5 to 7 with reuse).
 */
export class BatchPool {
  private readonly free: Buffer[] = [];

  constructor(private readonly keep = 8) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(BATCH);
  }

  give(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}

/**
 * pg-copy-streams' parser goes through a buffer list message by message, a
 * row at a time, which costs Node about as much CPU as Postgres spends
 * formatting the rows, and hands on each ~8 kB socket read as its own write
 * (measured: bench:export). This one copies whole rows into 1 MB batches,
 * skipping the 5-byte message headers, and counts them as it goes; the
 * hand-over to pg on an error or at the end of the copy is the library's.
 */
export function fastParser(pool = new BatchPool()): (this: CopyToInternals, chunk: Buffer) => boolean {
  const header = Buffer.alloc(5);
  let have = 0;
  let code = 0;
  let remaining = 0;
  /** The current message's length. */
  let current = 0;
  /** The current CopyData message's length when it is longer than a batch, else 0. */
  let long = 0;
  let out = pool.take();
  let o = 0;
  let rows = 0;
  let longest = 0;
  return function parse(this: CopyToInternals, chunk: Buffer): boolean {
    let drained = true;
    /** Hands on the whole rows gathered so far; only called between messages or at a long row's pieces. */
    const flush = () => {
      if (o === 0) return;
      drained = this.push({ data: out.subarray(0, o), rows, longestRow: longest, piece: false, buffer: out }) && drained;
      out = pool.take();
      o = 0;
      rows = 0;
      longest = 0;
    };
    const startMessage = (length: number) => {
      remaining = length;
      current = length;
      if (code !== COPY_DATA) return;
      if (length > BATCH) {
        flush();
        long = length;
      } else if (o + length > BATCH) {
        flush();
      }
      if (length === 0) endRow(0);
    };
    const endRow = (length: number) => {
      rows++;
      longest = Math.max(longest, length);
    };
    let i = 0;
    let done = false;
    while (i < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - i);
        remaining -= take;
        if (code === COPY_DATA && long > 0) {
          // A long row goes on in pieces of its own, copied: the socket's buffers are not ours to keep.
          drained = this.push({ data: Buffer.from(chunk.subarray(i, i + take)), rows: remaining === 0 ? 1 : 0, longestRow: long, piece: true }) && drained;
          if (remaining === 0) long = 0;
        } else if (code === COPY_DATA) {
          o += chunk.copy(out, o, i, i + take);
          if (remaining === 0) endRow(current);
        }
        i += take;
        if (remaining > 0) break;
        if (code !== COPY_DATA && !INTERSPERSED.has(code)) {
          done = true;
          break;
        }
        continue;
      }
      if (have === 0 && chunk[i] === ERROR_RESPONSE) {
        // pg parses the error (and what follows) itself and fails the query.
        this._buffer.push(chunk.subarray(i));
        this._detach();
        return false;
      }
      if (have === 0 && chunk.length - i >= 5) {
        code = chunk[i] ?? 0;
        startMessage(chunk.readUInt32BE(i + 1) - 4);
        i += 5;
      } else {
        header[have++] = chunk[i++] ?? 0;
        if (have < 5) continue;
        have = 0;
        code = header[0] ?? 0;
        startMessage(header.readUInt32BE(1) - 4);
      }
      if (remaining === 0 && code !== COPY_DATA && !INTERSPERSED.has(code)) {
        done = true;
        break;
      }
    }
    // Between messages only, so a batch never ends inside a row.
    if (done || (o >= BATCH / 2 && remaining === 0 && have === 0)) flush();
    if (done) {
      if (i < chunk.length) this._buffer.push(chunk.subarray(i));
      this._detach();
      this.push(null);
      this._cleanup();
    }
    return drained;
  };
}
