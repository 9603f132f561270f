// pg-copy-streams 7.0.0 (pinned exactly in package.json) parses CopyData
// row by row; this replaces its private _parse with one that batches. It
// relies on that version's internals (_buffer, _detach, _cleanup): a new
// version must be checked against src/exports/copy-parser.test.ts first.

/** The parts of pg-copy-streams' CopyToStreamQuery its parser works with. */
interface CopyToInternals {
  _buffer: { push(chunk: Buffer): void };
  _detach(): void;
  _cleanup(): void;
  push(chunk: Buffer | null): boolean;
}

const ERROR_RESPONSE = 0x45;
const COPY_DATA = 0x64;
/** Messages that may come between CopyData ones (CopyOutResponse, ParameterStatus, NoticeResponse, NotificationResponse); any other ends the copy. */
const INTERSPERSED = new Set([0x48, 0x53, 0x4e, 0x41]);
/** Rows go to the file in writes of about this size, not one per socket read (Postgres sends 8 kB at a time). */
const BATCH = 1 << 20;

/**
 * pg-copy-streams' parser goes through a buffer list message by message, a
 * row at a time, which costs Node about as much CPU as Postgres spends
 * formatting the rows, and hands on each ~8 kB socket read as its own write
 * (measured: bench:export). This one copies the rows of each message into
 * 1 MB batches, skipping the 5-byte message headers, with the same
 * hand-over to pg on an error or at the end of the copy.
 */
export function fastParser(): (this: CopyToInternals, chunk: Buffer) => boolean {
  const header = Buffer.alloc(5);
  let have = 0;
  let code = 0;
  let remaining = 0;
  let out = Buffer.allocUnsafe(BATCH);
  let o = 0;
  return function parse(this: CopyToInternals, chunk: Buffer): boolean {
    let drained = true;
    const flush = () => {
      if (o === 0) return;
      drained = this.push(out.subarray(0, o)) && drained;
      out = Buffer.allocUnsafe(BATCH);
      o = 0;
    };
    let i = 0;
    let done = false;
    while (i < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - i);
        if (code === COPY_DATA) {
          if (o + take > out.length) {
            flush();
            if (take > out.length) out = Buffer.allocUnsafe(take);
          }
          o += chunk.copy(out, o, i, i + take);
        }
        i += take;
        remaining -= take;
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
        remaining = chunk.readUInt32BE(i + 1) - 4;
        i += 5;
      } else {
        header[have++] = chunk[i++] ?? 0;
        if (have < 5) continue;
        have = 0;
        code = header[0] ?? 0;
        remaining = header.readUInt32BE(1) - 4;
      }
      if (remaining === 0 && code !== COPY_DATA && !INTERSPERSED.has(code)) {
        done = true;
        break;
      }
    }
    if (done || o >= BATCH / 2) flush();
    if (done) {
      if (i < chunk.length) this._buffer.push(chunk.subarray(i));
      this._detach();
      this.push(null);
      this._cleanup();
    }
    return drained;
  };
}
