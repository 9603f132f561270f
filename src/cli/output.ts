import pc from "picocolors";

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

export function printJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

export const colors = pc;

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
