import { createRequire } from "node:module";

// Kubernetes reads a CronJob's schedule with the standard five-field cron
// syntax (or a macro). cron-parser, loaded only when a config has a schedule,
// checks each field's range and that the whole schedule ever fires: "61 * * * *"
// or "0 0 31 2 *" are accepted by the API server and then never run.

interface CronParser {
  CronExpressionParser: { parse(expression: string, options?: { tz?: string; currentDate?: Date }): { next(): { toDate(): Date } } };
}

let parser: CronParser | undefined;
const load = (): CronParser => (parser ??= createRequire(import.meta.url)("cron-parser") as CronParser);

const FIELDS = [
  { name: "minute", range: "0-59" },
  { name: "hour", range: "0-23" },
  { name: "day of month", range: "1-31" },
  { name: "month", range: "1-12 or JAN-DEC" },
  { name: "day of week", range: "0-7 or SUN-SAT" },
] as const;

/** Why a five-field schedule (already of the right shape) can never run as written; undefined when it can. */
export function cronProblem(schedule: string): string | undefined {
  if (schedule.startsWith("@")) return undefined;
  const { CronExpressionParser } = load();
  const fields = schedule.split(" ");
  for (const [i, field] of FIELDS.entries()) {
    const alone = FIELDS.map((_, j) => (j === i ? fields[i] : "*")).join(" ");
    try {
      CronExpressionParser.parse(alone, { tz: "UTC" });
    } catch {
      return `its ${field.name} field "${fields[i] ?? ""}" is outside ${field.range}`;
    }
  }
  try {
    // From a fixed leap-year start, so "29 Feb" counts as firing.
    CronExpressionParser.parse(schedule, { tz: "UTC", currentDate: new Date("2027-12-31T00:00:00Z") }).next();
  } catch {
    return "it never fires: no date has that day of month in those months";
  }
  return undefined;
}
