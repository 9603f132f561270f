import { durationSeconds } from "../config/duration.js";
import { UsageError } from "../errors.js";
import type { CursorMark, PendingTransaction } from "./activity.js";
import { literal, quoteIdent } from "./sql.js";

/** What a destination keeps per export: the cursor value every later run starts after. */
export interface Watermark {
  version: 1;
  export: string;
  table: string;
  cursor: string;
  /** The cursor column's Postgres type; the value is cast back to it. */
  cursorType: string;
  /** The cursor value as Postgres printed it; undefined after a run that found no rows. */
  value?: string;
  /** xmin of the last run's snapshot (see WindowInput.afterXmin); absent for views. */
  xmin?: string;
  key: string[];
  /** Where the next run may start reading (see activity.ts); absent: the whole table. */
  floor?: string;
  /** The largest committed cursor value at moments of earlier runs, oldest first. */
  marks?: CursorMark[];
  /** Transactions open longer than the horizon at the last run. */
  pending?: PendingTransaction[];
  updatedAt: string;
  lastRun?: { partition: string; rows: number; files: string[] };
}

const TIME_CURSORS = new Set(["timestamptz", "timestamp", "date"]);
const COUNT_CURSORS = new Set(["int2", "int4", "int8", "numeric"]);

/** A snapshot's 64-bit xmin as the 32-bit xid row versions carry. */
export function xid32(xmin: string): string {
  return (BigInt(xmin) % 4294967296n).toString();
}

export function cursorKind(type: string): "time" | "count" | undefined {
  if (TIME_CURSORS.has(type)) return "time";
  if (COUNT_CURSORS.has(type)) return "count";
  return undefined;
}

export interface WindowInput {
  cursor: string;
  cursorType: string;
  /** Undefined for a full export. */
  after?: string;
  /**
   * The previous snapshot's xmin. A row written by any transaction from that
   * one on may have been invisible to it, whatever its cursor value (an id
   * taken or a timestamp stamped before the snapshot, committed after), so
   * such rows are read again. Clocks, zones and roles do not enter into it.
   */
  afterXmin?: string;
  overlap?: string | number;
  /**
   * No late row has a cursor below this (activity.ts): with afterXmin, the
   * window starts here, so an index on the cursor bounds the scan.
   */
  floor?: string;
  where?: string;
}

/** The WHERE clause choosing the rows of a run; the watermark goes in as a literal cast to the cursor's type (COPY takes no parameters). */
export function windowFilter(input: WindowInput): string {
  const parts: string[] = [];
  if (input.after !== undefined) {
    const cursor = quoteIdent(input.cursor);
    const start = `${literal(input.after)}::${input.cursorType}`;
    const kind = cursorKind(input.cursorType);
    // Without xmin (a view), a date's whole day is read again: rows stamped later that day are not skipped.
    const op = input.cursorType === "date" && input.afterXmin === undefined ? ">=" : ">";
    let back: string;
    if (input.overlap === undefined || input.overlap === 0) back = "";
    else if (kind === "time" && typeof input.overlap === "string") back = ` - interval '${durationSeconds(input.overlap)} seconds'`;
    else if (kind === "count" && typeof input.overlap === "number") back = ` - ${input.overlap}`;
    else throw new UsageError(`overlap ${JSON.stringify(input.overlap)} does not fit cursor ${input.cursor} of type ${input.cursorType}`, "use a duration such as 5m for time cursors and a count for id cursors");
    let condition = `${cursor} ${op} ${start}${back}`;
    if (input.afterXmin !== undefined) {
      // xmin is 32 bits and wraps; age() compares within the window Postgres keeps valid. A frozen row's
      // raw xmin can be more than 2^31 old, which age() shows as negative: such rows are old, not new.
      condition = `(${condition} OR age(xmin) BETWEEN 0 AND age(${literal(xid32(input.afterXmin))}::xid))`;
      // A floor equal to a late row's cursor is possible (a date, a timestamp to the microsecond): >= keeps it.
      if (input.floor !== undefined) condition = `${cursor} >= ${literal(input.floor)}::${input.cursorType}${back} AND ${condition}`;
    }
    parts.push(condition);
  }
  if (input.where) parts.push(`(${input.where})`);
  return parts.length ? ` WHERE ${parts.join(" AND ")}` : "";
}
