import { InternalError } from "../errors.js";
const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "30s", "5m", "1h", "7d" to seconds; the schema has already checked the form. */
export function durationSeconds(text: string): number {
  const match = /^([0-9]+)(s|m|h|d)$/.exec(text);
  if (!match) throw new InternalError(`not a duration: ${text} (the schema checks durations first)`);
  return Number(match[1]) * (unit[match[2] as string] as number);
}
