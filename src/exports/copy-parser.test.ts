import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fastParser, type CopyBatch } from "./copy-parser.js";

const message = (code: string, payload: Buffer = Buffer.alloc(0)) => {
  const head = Buffer.alloc(5);
  head.write(code, 0, "latin1");
  head.writeUInt32BE(payload.length + 4, 1);
  return Buffer.concat([head, payload]);
};

/** A stand-in for pg-copy-streams' CopyToStreamQuery: what the parser hands on, and what it gives back to pg. */
function target() {
  const pushed: CopyBatch[] = [];
  const back: Buffer[] = [];
  const calls: string[] = [];
  return {
    pushed,
    back,
    calls,
    _buffer: { push: (b: Buffer) => back.push(Buffer.from(b)) },
    _detach: () => calls.push("detach"),
    _cleanup: () => calls.push("cleanup"),
    push(batch: CopyBatch | null) {
      if (batch === null) calls.push("end");
      else pushed.push({ ...batch, data: Buffer.from(batch.data) });
      return true;
    },
  };
}

/** The stream cut at random points, as socket reads arrive. */
function cuts(stream: Buffer, seed: number): Buffer[] {
  const out: Buffer[] = [];
  let x = seed;
  for (let i = 0; i < stream.length; ) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (x % 9000);
    out.push(stream.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe("the COPY parser", () => {
  it("hands on exactly the rows' bytes in batches of whole rows, counted, whatever the cuts, and gives pg back what follows CopyDone", () => {
    // Two rows longer than a batch (1 MiB) come in pieces of their own.
    const rows = Array.from({ length: 400 }, (_, i) => randomBytes(i === 100 || i === 101 ? 2_500_000 + i : 1 + ((i * 7919) % 20000)));
    const ends = new Set<number>();
    rows.reduce((at, r) => (ends.add(at + r.length), at + r.length), 0);
    const tail = Buffer.concat([message("C", Buffer.from("COPY 400\0")), message("Z", Buffer.from("I"))]);
    const stream = Buffer.concat([message("H", Buffer.alloc(3)), ...rows.map((r) => message("d", r)), message("N", Buffer.from("notice\0")), message("c"), tail]);
    for (const seed of [1, 2, 3, 42]) {
      const t = target();
      const parse = fastParser();
      for (const chunk of cuts(stream, seed)) {
        if (t.calls.includes("end")) t._buffer.push(chunk);
        else parse.call(t, chunk);
      }
      expect(Buffer.concat(t.pushed.map((b) => b.data)).equals(Buffer.concat(rows)), `seed ${seed}`).toBe(true);
      expect(t.pushed.reduce((n, b) => n + b.rows, 0)).toBe(rows.length);
      let at = 0;
      let row = 0;
      for (const batch of t.pushed) {
        at += batch.data.length;
        if (batch.piece) {
          expect(batch.longestRow).toBe(rows[row]?.length);
          expect(batch.rows).toBe(ends.has(at) ? 1 : 0);
        } else {
          expect(ends.has(at), `seed ${seed}: a batch ends inside a row`).toBe(true);
          expect(batch.data.length).toBeLessThanOrEqual(1 << 20);
          const mine = rows.slice(row, row + batch.rows);
          expect(Buffer.concat(mine).length).toBe(batch.data.length);
          expect(batch.longestRow).toBe(Math.max(...mine.map((r) => r.length)));
        }
        row += batch.rows;
      }
      expect(t.pushed.filter((b) => b.piece && b.rows === 1)).toHaveLength(2);
      expect(Buffer.concat(t.back).equals(tail), `seed ${seed}`).toBe(true);
      expect(t.calls).toEqual(["detach", "end", "cleanup"]);
    }
  });

  it("leaves an error to pg", () => {
    const t = target();
    const error = message("E", Buffer.from("SERROR\0"));
    fastParser().call(t, Buffer.concat([message("H", Buffer.alloc(3)), message("d", Buffer.from("a\n")), error]));
    expect(Buffer.concat(t.back).equals(error)).toBe(true);
    expect(t.calls).toEqual(["detach"]);
  });
});
