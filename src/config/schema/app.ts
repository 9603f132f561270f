import * as z from "zod";
import { sqlConditionProblem } from "./sql-condition.js";
import {
  cronSchedule,
  dnsLabel,
  duration,
  email,
  envName,
  lineText,
  port,
  processText,
  resources,
  sqlIdentifier,
  stringMap,
  tableName,
  timeZone,
  urlPath,
} from "./common.js";

const alphabet = z.enum(["alphanumeric", "alpha", "numeric", "hex", "ascii-printable", "url-safe"]);

const secretRecipe = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("random"),
    length: z.int().min(8, { error: "a length of at least 8" }).max(4096).default(32),
    alphabet: alphabet.default("alphanumeric"),
  }),
  z.strictObject({ type: z.literal("hex"), bytes: z.int().min(8).max(1024).default(32) }),
  z.strictObject({ type: z.literal("base64url"), bytes: z.int().min(8).max(1024).default(32) }),
  z.strictObject({
    type: z.literal("keypair"),
    algorithm: z.enum(["ed25519", "ecdsa-p256", "rsa-2048", "rsa-4096"]).default("ed25519"),
  }),
]);

const secretSpec = z
  .strictObject({
    description: z.string().optional(),
    generate: secretRecipe.optional().describe("devstack generates the value on first need"),
    external: z.literal(true).optional().describe("someone supplies it once with `devstack secrets set`"),
  })
  .superRefine((spec, ctx) => {
    const kinds = Number(spec.generate !== undefined) + Number(spec.external !== undefined);
    if (kinds !== 1) {
      ctx.addIssue({
        code: "custom",
        message: "exactly one of generate: {type: ...} or external: true",
        params: { plain: true },
      });
    }
  });

const command = z.array(processText, { error: "a command as a list of strings, e.g. [node, cron.js]" }).min(1, { error: "a command of at least one word, e.g. [node, cron.js]" });

const jobSpec = z.strictObject({
  schedule: cronSchedule,
  command,
  timeZone: timeZone.default("UTC"),
  timeout: duration.default("30m"),
  retries: z.int().min(0).max(10).default(1),
});

const alertSpec = z.strictObject({
  level: z.enum(["debug", "info", "warn", "error", "fatal"]).default("error"),
  match: lineText.optional().describe("only lines whose message contains this text"),
  threshold: z.int().min(1, { error: "a threshold of at least 1" }),
  window: duration,
  repeat: duration.default("4h"),
  to: z.array(email).min(1, { error: "at least one recipient" }),
});

const exportSpec = z.strictObject({
  table: tableName,
  cursor: sqlIdentifier.describe("a column that only grows: updated_at or a serial id"),
  key: z.array(sqlIdentifier).min(1).optional().describe("the row key analysts deduplicate on; default the primary key"),
  columns: z.array(sqlIdentifier).min(1).optional(),
  where: z
    .string({ error: "a string" })
    .superRefine((sql, ctx) => {
      const problem = sqlConditionProblem(sql);
      if (problem) ctx.addIssue({ code: "custom", message: `expected one SQL condition such as deleted_at IS NULL, found ${problem}`, params: { plain: true } });
    })
    .optional()
    .describe("an SQL condition rows must meet, such as deleted_at IS NULL (one condition: no statements, comments or unbalanced parentheses)"),
  overlap: z
    .union([duration, z.int().min(0)])
    .optional()
    .describe("re-read this far behind the watermark (a duration for time cursors, a count for id cursors) to catch rows committed late"),
  schedule: cronSchedule.optional().describe("when the cluster runs it (a CronJob); without it the export runs only by hand"),
});

const secretName = /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)$/i;

export function looksLikeSecret(name: string): boolean {
  return secretName.test(name);
}

export const appSchema = z
  .strictObject({
    name: dnsLabel.describe("the app's name: release, namespace and image name"),
    chart: z
      .string()
      .min(1)
      .optional()
      .describe("a directory with the team's own Helm chart, used instead of devstack's webapp chart with the same values"),
    build: z
      .strictObject({
        context: z.string().default("."),
        dockerfile: z.string().default("Dockerfile"),
        target: z.string().optional(),
        args: stringMap(envName).default({}),
      })
      .default({ context: ".", dockerfile: "Dockerfile", args: {} }),
    service: z.strictObject({
      port,
      health: urlPath.default("/healthz"),
      replicas: z.int().min(1).max(100).default(2),
      resources: resources.default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } }),
    }),
    env: stringMap(envName)
      .superRefine((env, ctx) => {
        for (const [name, value] of Object.entries(env)) {
          if (looksLikeSecret(name) && value.replace(/\$\{[^}]*\}/g, "").trim() !== "") {
            ctx.addIssue({
              code: "custom",
              path: [name],
              message: `${name} looks like a secret: declare it under secrets: (generate or external: true) so its value never sits in a file`,
              params: { plain: true },
            });
          }
        }
      })
      .default({}),
    secrets: z.record(envName, secretSpec).default({}),
    database: z
      .strictObject({
        engine: z.literal("postgres").default("postgres"),
        version: z.enum(["14", "15", "16", "17", "18"]).default("16"),
        name: sqlIdentifier,
        env: envName.default("DATABASE_URL").describe("the variable that receives the derived connection URL"),
      })
      .optional(),
    migrate: z.strictObject({ command, timeout: duration.default("10m") }).optional(),
    jobs: z.record(dnsLabel, jobSpec).default({}),
    alerts: z.record(dnsLabel, alertSpec).default({}),
    exports: z.record(dnsLabel, exportSpec).default({}),
  })
  .superRefine((app, ctx) => {
    const dbEnv = app.database?.env;
    if (dbEnv !== undefined && dbEnv in app.secrets) {
      ctx.addIssue({
        code: "custom",
        path: ["secrets", dbEnv],
        message: `${dbEnv} is derived from database: (never stored twice); remove it from secrets`,
        params: { plain: true },
      });
    }
    for (const job of Object.keys(app.jobs)) {
      // A CronJob's name (app-job) must leave room for the Job names Kubernetes derives from it.
      if (app.name.length + 1 + job.length > 52) {
        ctx.addIssue({ code: "custom", path: ["jobs", job], message: `"${app.name}-${job}" is longer than 52 characters, the limit for a CronJob's name; shorten the job's name`, params: { plain: true } });
      }
    }
    for (const [name, spec] of Object.entries(app.exports)) {
      if (!spec.schedule) continue;
      // A scheduled export is the CronJob app-export-<name>; `jobs run export-<name>` runs it.
      if (app.name.length + "-export-".length + name.length > 52) {
        ctx.addIssue({ code: "custom", path: ["exports", name], message: `"${app.name}-export-${name}" is longer than 52 characters, the limit for a CronJob's name; shorten the export's name`, params: { plain: true } });
      }
      if (`export-${name}` in app.jobs) {
        ctx.addIssue({ code: "custom", path: ["jobs", `export-${name}`], message: `job export-${name} would share its CronJob with the scheduled export ${name}; rename one`, params: { plain: true } });
      }
    }
    for (const name of Object.keys(app.env)) {
      if (name in app.secrets || name === dbEnv) {
        ctx.addIssue({
          code: "custom",
          path: ["env", name],
          message: `${name} is also a secret; a variable is either plain env or a secret`,
          params: { plain: true },
        });
      }
    }
  });

export type AppConfig = z.output<typeof appSchema>;
export type SecretRecipe = z.output<typeof secretRecipe>;
export type ExportSpec = z.output<typeof exportSpec>;
