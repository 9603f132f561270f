import { UsageError } from "../errors.js";

export interface LogFilters {
  app: string;
  environment: string;
  level?: string;
  component?: string;
  /** Several components (an alert that watches some of the product's). */
  components?: string[];
  grep?: string;
}

const LEVELS = ["debug", "info", "warn", "error", "fatal"] as const;

function quote(value: string): string {
  return JSON.stringify(value);
}

/**
 * A LogQL stream query from devstack logs' flags. Only the low-cardinality
 * labels Alloy sets are selectors; --grep is a line filter.
 */
export function buildLogQL(f: LogFilters): string {
  const selectors = [`app=${quote(f.app)}`, `environment=${quote(f.environment)}`];
  if (f.level) {
    if (!LEVELS.includes(f.level as (typeof LEVELS)[number])) throw new UsageError(`--level ${f.level} is not a level`, `use one of ${LEVELS.join(", ")}`);
    // --level error means error and worse, as in every log viewer.
    const at = LEVELS.indexOf(f.level as (typeof LEVELS)[number]);
    const levels = LEVELS.slice(at);
    selectors.push(levels.length === 1 ? `level=${quote(levels[0] as string)}` : `level=~${quote(levels.join("|"))}`);
  }
  if (f.component) selectors.push(`component=${quote(f.component)}`);
  else if (f.components && f.components.length > 0) selectors.push(f.components.length === 1 ? `component=${quote(f.components[0] as string)}` : `component=~${quote(f.components.join("|"))}`);
  return `{${selectors.join(", ")}}${f.grep ? ` |= ${quote(f.grep)}` : ""}`;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "15m", "1h", "2d" ago, or an ISO timestamp. */
export function parseTime(text: string, now = new Date()): Date {
  const relative = /^([0-9]+)(s|m|h|d)$/.exec(text);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * (UNITS[relative[2] as string] as number));
  const absolute = new Date(text);
  if (Number.isNaN(absolute.getTime())) throw new UsageError(`"${text}" is neither a duration (30s, 15m, 1h, 2d) nor a timestamp`);
  return absolute;
}
