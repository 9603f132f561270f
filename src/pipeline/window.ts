import { durationSeconds } from "../config/duration.js";
import { quoteIdent } from "./type-map.js";

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
  key: string[];
  updatedAt: string;
  lastRun?: { partition: string; rows: number; files: string[] };
}

export const TIME_CURSORS = new Set(["timestamptz", "timestamp", "date"]);
export const COUNT_CURSORS = new Set(["int2", "int4", "int8", "numeric"]);

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
  overlap?: string | number;
  where?: string;
}

/**
 * The WHERE clause choosing the rows of a run, with its parameters. The
 * watermark is a parameter cast to the cursor's type, never spliced in.
 */
export function windowFilter(input: WindowInput): { sql: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  if (input.after !== undefined) {
    const cursor = quoteIdent(input.cursor);
    params.push(input.after);
    const start = `$1::${input.cursorType}`;
    const kind = cursorKind(input.cursorType);
    if (input.overlap === undefined || input.overlap === 0) parts.push(`${cursor} > ${start}`);
    else if (kind === "time" && typeof input.overlap === "string") parts.push(`${cursor} > ${start} - interval '${durationSeconds(input.overlap)} seconds'`);
    else if (kind === "count" && typeof input.overlap === "number") parts.push(`${cursor} > ${start} - ${input.overlap}`);
    else throw new Error(`overlap ${JSON.stringify(input.overlap)} does not fit cursor ${input.cursor} of type ${input.cursorType}: use a duration such as 5m for time cursors and a count for id cursors`);
  }
  if (input.where) parts.push(`(${input.where})`);
  return { sql: parts.length ? ` WHERE ${parts.join(" AND ")}` : "", params };
}

/** Splices the window's parameters in as quoted literals, for COPY, which takes none. */
export function inlineParams(sql: string, params: string[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => `'${(params[Number(n) - 1] ?? "").replace(/'/g, "''")}'`);
}
