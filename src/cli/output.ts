import pc from "picocolors";
import type { ErrorKind } from "../errors.js";

/**
 * Every byte devstack prints goes through here, so there is one place that
 * decides colour, JSON and (with the secret store) redaction.
 */
export type Filter = (text: string) => string;

let filter: Filter = (text) => text;

export function setOutputFilter(next: Filter): void {
  filter = next;
}

export function out(text: string): void {
  process.stdout.write(filter(text.endsWith("\n") ? text : `${text}\n`));
}

export function err(text: string): void {
  process.stderr.write(filter(text.endsWith("\n") ? text : `${text}\n`));
}

/** For progress lines that redraw themselves: no newline added. */
export function errRaw(text: string): void {
  process.stderr.write(filter(text));
}

/**
 * The `--json` output contract: every line on stdout is one JSON object.
 * Progress comes as events, `{"type":"event","event":"step",...}`; the last
 * line is the result, `{"type":"result","command":"secrets sync",...}`, or the
 * error (see render-error.ts). Each result has a zod schema in src/cli/results/.
 */
function line(value: Record<string, unknown>): void {
  // JSON.stringify without indentation never puts a line break inside an object: one object, one line.
  out(JSON.stringify(value));
}

/** Spreads fields after the contract's own keys; a field named like one of them never replaces it. */
function contract<T extends Record<string, unknown>>(head: T, fields: Record<string, unknown>): T & Record<string, unknown> {
  const value: Record<string, unknown> = { ...head, ...fields };
  Object.assign(value, head);
  return value as T & Record<string, unknown>;
}

/** A progress event with --json: `{"type":"event","event":<event>,...fields}`. */
export function printEvent(event: string, fields: Record<string, unknown> = {}): void {
  line(contract({ type: "event", event }, fields));
}

/** A command's result with --json, its last line: `{"type":"result","command":<command>,...fields}`. */
export function printResult(command: string, result: Record<string, unknown>): void {
  line(contract({ type: "result", command }, result));
}

export interface ErrorLine {
  kind: ErrorKind;
  message: string;
  fix: string | null;
  issues: unknown[];
  exitCode: number;
}

/** The failure with --json, always one line: `{"type":"error","kind":...,"message":...,"fix":...,"issues":[...],"exitCode":N}`. */
export function printError(error: ErrorLine): void {
  line(contract({ type: "error" }, { ...error }));
}

export const colors = pc;

/** 1234567 → "1,234,567"; a regex, not toLocaleString, whose first call loads ICU data (about 60 ms). */
export function thousands(n: number): string {
  const [whole = "", fraction] = String(n).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** Plain-text tables: columns padded to the widest cell, no borders. */
export function table(rows: string[][], indent = ""): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows
    .map((row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visibleLength(cell))))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "").length;
}
