import * as z from "zod";
import { cronProblem } from "./cron.js";
import { cpuMillis, memoryBytes } from "./quantity.js";

// Each format carries its own human description as the message: the issue
// renderer prints it as "expected <message>", so errors read like the docs.

export const dnsLabel = z
  .string()
  .regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, {
    error: "a lowercase DNS label: letters, digits and '-', starting with a letter, at most 40 characters",
  });

export const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "an environment variable name such as DATABASE_URL" });

export const sqlIdentifier = z
  .string()
  .regex(/^[a-z_][a-z0-9_$]{0,62}$/, { error: "a lowercase SQL identifier such as app_db" });

/** A table, optionally schema-qualified. */
export const tableName = z
  .string()
  .regex(/^([a-z_][a-z0-9_$]{0,62}\.)?[a-z_][a-z0-9_$]{0,62}$/, {
    error: "a table name such as visits or analytics.visits",
  });

export const duration = z
  .string()
  .regex(/^[1-9][0-9]*(s|m|h|d)$/, { error: "a duration such as 30s, 5m, 1h or 7d" });

export const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/, {
    error: "a lowercase host name such as example.com",
  });

export const email = z.email({ error: "an e-mail address such as ops@example.com" });

export const port = z.int({ error: "a port number" }).min(1, { error: "a port from 1 to 65535" }).max(65535, {
  error: "a port from 1 to 65535",
});

export const urlPath = z.string().regex(/^\/[^\s]*$/, { error: "a URL path starting with '/', such as /healthz" });

const cronField = String.raw`(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*`;
const cronRe = new RegExp(`^(@(yearly|annually|monthly|weekly|daily|hourly)|${cronField}( ${cronField}){4})$`);

export const cronSchedule = z
  .string()
  .regex(cronRe, { error: "a cron schedule of five fields such as \"0 3 * * *\", or @hourly/@daily/@weekly/@monthly" })
  .superRefine((schedule, ctx) => {
    const problem = cronRe.test(schedule) ? cronProblem(schedule) : undefined;
    if (problem) ctx.addIssue({ code: "custom", message: `"${schedule}" is not a schedule Kubernetes can run: ${problem}`, params: { plain: true } });
  });

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = z
  .string()
  .refine(isTimeZone, { error: "an IANA time zone such as UTC or Europe/Berlin" });

const cpuQuantity = z
  .string()
  .regex(/^([0-9]+m|[0-9]+(\.[0-9]+)?)$/, { error: "a CPU quantity such as 100m or 0.5" });

const memoryQuantity = z
  .string()
  .regex(/^[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)?$/, { error: "a memory quantity such as 128Mi or 1Gi" });

export const resources = z
  .strictObject({
    requests: z
      .strictObject({ cpu: cpuQuantity.default("100m"), memory: memoryQuantity.default("128Mi") })
      .default({ cpu: "100m", memory: "128Mi" }),
    limits: z
      .strictObject({ cpu: cpuQuantity.optional(), memory: memoryQuantity.default("256Mi") })
      .default({ memory: "256Mi" }),
  })
  .superRefine((r, ctx) => {
    // The API server refuses a limit below its request; say so here, where the numbers are written.
    // (Refinements run even when a quantity itself is malformed: that one is reported on its own.)
    const bytes = (q: string) => (/^[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(q) ? memoryBytes(q) : NaN);
    const millis = (q: string | undefined) => (q !== undefined && /^([0-9]+m|[0-9]+(\.[0-9]+)?)$/.test(q) ? cpuMillis(q) : NaN);
    if (bytes(r.limits.memory) < bytes(r.requests.memory)) {
      ctx.addIssue({ code: "custom", path: ["limits", "memory"], message: `the memory limit ${r.limits.memory} is below the request ${r.requests.memory}; a limit must be at least its request`, params: { plain: true } });
    }
    if (millis(r.limits.cpu) < millis(r.requests.cpu)) {
      ctx.addIssue({ code: "custom", path: ["limits", "cpu"], message: `the CPU limit ${r.limits.cpu} is below the request ${r.requests.cpu}; a limit must be at least its request`, params: { plain: true } });
    }
  });

/** The first control character in text, and where (in characters), except those a line break or tab needs. */
function controlCharacter(text: string, allowLines: boolean): string | undefined {
  let n = 0;
  for (const ch of text) {
    n++;
    const code = ch.codePointAt(0) as number;
    const allowed = allowLines && (ch === "\n" || ch === "\t" || ch === "\r");
    if (!allowed && (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0))) return `U+${code.toString(16).toUpperCase().padStart(4, "0")} at character ${n}`;
  }
  return undefined;
}

/**
 * Text a process receives (a command's argument, an environment value, a
 * build argument): no NUL, which no process can receive, and no other control
 * character but tab and line breaks.
 */
export const processText = z.string({ error: "a string" }).superRefine((text, ctx) => {
  const found = controlCharacter(text, true);
  if (found) ctx.addIssue({ code: "custom", message: `a control character (${found}); only tabs and line breaks may appear here`, params: { plain: true } });
});

/** One line of text that ends up inside a query or a header: no control character at all. */
export const lineText = z.string({ error: "a string" }).superRefine((text, ctx) => {
  const found = controlCharacter(text, false);
  if (found) ctx.addIssue({ code: "custom", message: `a control character (${found}); this must be one line of text`, params: { plain: true } });
});

/** An image reference: registry/repository[:tag][@digest]. */
export const imageRef = z
  .string()
  .regex(/^[a-z0-9]+([._\-/:][a-z0-9]+)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/i, {
    error: "an image reference such as registry.example.com/team/postgres:16",
  });

export const stringMap = <K extends z.ZodType<string>>(key: K) => z.record(key, processText);
