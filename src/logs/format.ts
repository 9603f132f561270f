import pc from "picocolors";
import type { LogLine } from "./loki.js";

const levelColour: Record<string, (s: string) => string> = {
  debug: pc.dim,
  info: pc.green,
  warn: pc.yellow,
  error: pc.red,
  fatal: (s) => pc.bold(pc.red(s)),
};

/** One aligned, coloured line: time, level, component, message, then the other fields as key=value. */
export function formatLine(l: LogLine, colour: boolean): string {
  let fields: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(l.line) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) fields = parsed as Record<string, unknown>;
  } catch {
    // not JSON: printed as it is
  }
  const level = String(fields?.level ?? l.labels.level ?? "").padEnd(5);
  const paint = colour ? (levelColour[level.trim()] ?? ((s: string) => s)) : (s: string) => s;
  const time = l.time.toISOString().replace("T", " ").replace("Z", "");
  const component = (l.labels.component ?? "").padEnd(12);
  if (!fields) return `${time}  ${paint(level)}  ${component}  ${l.line}`;
  const { time: _t, level: _l, msg, ...rest } = fields;
  const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");
  return `${time}  ${paint(level)}  ${component}  ${String(msg ?? "")}${extra ? `  ${colour ? pc.dim(extra) : extra}` : ""}`;
}
