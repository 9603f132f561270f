import * as z from "zod";
import { InternalError } from "../../errors.js";
import { componentIssues, derivedVariableIssues } from "./components.js";
import { databaseSpec, mailSpec, redisSpec, storageSpec } from "./services.js";
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
  component: dnsLabel.optional().describe("run the image of this component (default: the first that builds)"),
  timeZone: timeZone.default("UTC"),
  timeout: duration.default("30m"),
  retries: z.int().min(0).max(10).default(1),
});

const alertSpec = z.strictObject({
  level: z.enum(["debug", "info", "warn", "error", "fatal"]).default("error"),
  match: lineText.optional().describe("only lines whose message contains this text"),
  components: z.array(dnsLabel).min(1).optional().describe("only lines of these components (default: every component, job and migration)"),
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
  horizon: duration
    .optional()
    .describe("how long a transaction left open in the database holds incremental runs back (default 1h); past it runs stop waiting, and the first run after it ends reads back to when it began"),
  schedule: cronSchedule.optional().describe("when the cluster runs it (a CronJob); without it the export runs only by hand"),
});

const secretName = /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)$/i;

export function looksLikeSecret(name: string): boolean {
  return secretName.test(name);
}

const buildSpec = z.strictObject({
  context: z.string().default("."),
  dockerfile: z.string().default("Dockerfile"),
  target: z.string().optional(),
  args: stringMap(envName).default({}),
});

/** Exactly one of the keys: each kind is its own key, so a misspelled one is named as such. */
function oneOf(keys: string[], example: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const given = keys.filter((k) => value[k] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: "custom", message: `exactly one of ${keys.join(", ")}, e.g. ${example}`, params: { plain: true } });
  };
}

const probe = z
  .strictObject({
    http: urlPath.optional().describe("GET this path with the product's host as Host"),
    tcp: z.literal(true).optional().describe("connect to the component's port"),
    exec: command.optional().describe("run this in the container; exit 0 is healthy"),
  })
  .superRefine(oneOf(["http", "tcp", "exec"], "{http: /healthz}"))
  .transform((p): { http: string } | { tcp: true } | { exec: string[] } => (p.http !== undefined ? { http: p.http } : p.tcp ? { tcp: true } : { exec: p.exec as string[] }));

const route = z
  .strictObject({
    path: urlPath.optional().describe("a path prefix on the product's host"),
    subdomain: dnsLabel.optional().describe("its own host: <subdomain>.<host>"),
  })
  .superRefine(oneOf(["path", "subdomain"], "{path: /api}"))
  .transform((r): { path: string } | { subdomain: string } => (r.path !== undefined ? { path: r.path } : { subdomain: r.subdomain as string }));

const absolutePath = z.string().regex(/^\/[^\s\0]*$/, { error: "an absolute path such as /tmp" });
const memoryQuantity = z.string().regex(/^[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)?$/, { error: "a size such as 64Mi" });

const componentSpec = z.strictObject({
  build: buildSpec.optional().describe("its own image: build context, Dockerfile, target, args"),
  image: dnsLabel.optional().describe("or: run the image of another component (with its own command)"),
  command: command.optional().describe("the container's command, e.g. [node, worker.js]"),
  port: port.optional().describe("the port it serves; without one it is a worker: no Service, no route, no HTTP probe"),
  routes: z.array(route).optional().describe("where the product's traffic reaches it: path prefixes on the host, or its own subdomain"),
  readiness: probe.optional().describe("when it may receive traffic; default: tcp on its port, none for a worker"),
  liveness: probe.optional().describe("when it must be restarted; default: none"),
  replicas: z.int().min(1).max(100).default(1),
  resources: resources.default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } }),
  env: stringMap(envName).default({}).describe("on top of the app-wide env"),
  secrets: z.array(envName).optional().describe("the secrets it receives (least privilege); default: all"),
  writable: z.record(absolutePath, memoryQuantity).default({}).describe("writable directories (size-limited) on the read-only root filesystem"),
  ports: z.record(dnsLabel, port).default({}).describe("more named ports, reachable inside the cluster"),
  calls: z.array(dnsLabel).optional().describe("the components it reaches; default: all of the product's"),
});

type ComponentSpec = z.output<typeof componentSpec>;

/** A component as the rest of devstack sees it: routes always listed. */
export type ComponentConfig = Omit<ComponentSpec, "routes"> & { routes: ({ path: string } | { subdomain: string })[] };

const appSchemaBase = z
  .strictObject({
    name: dnsLabel.describe("the app's name: release, namespace and image name"),
    chart: z
      .string()
      .min(1)
      .optional()
      .describe("a directory with the team's own Helm chart, used instead of devstack's webapp chart with the same values"),
    build: buildSpec.default({ context: ".", dockerfile: "Dockerfile", args: {} }).describe("the image of the one-component shorthand (service:); components have their own"),
    service: z
      .strictObject({
        port,
        health: urlPath.default("/healthz"),
        replicas: z.int().min(1).max(100).default(2),
        resources: resources.default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } }),
      })
      .optional()
      .describe("one component named web, routed at /: the shorthand for components:"),
    components: z.record(dnsLabel, componentSpec).optional().describe("the product's components: web, API, workers, each with its own image or another's"),
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
    database: databaseSpec.optional(),
    redis: redisSpec.optional().describe("a Redis beside the app: a local container, ElastiCache in production"),
    storage: storageSpec.optional().describe("the app's own bucket: in the local object store, S3 in production"),
    mail: mailSpec.optional().describe("mail the app sends: the local SMTP sink, SES (or any relay) in production"),
    migrate: z.strictObject({ command, timeout: duration.default("10m") }).optional(),
    jobs: z.record(dnsLabel, jobSpec).default({}),
    alerts: z.record(dnsLabel, alertSpec).default({}),
    exports: z.record(dnsLabel, exportSpec).default({}),
  })
  .superRefine((app, ctx) => componentIssues(app, ctx))
  .superRefine((app, ctx) => {
    derivedVariableIssues(app, ctx);
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
      if (name in app.secrets) {
        ctx.addIssue({
          code: "custom",
          path: ["env", name],
          message: `${name} is also a secret; a variable is either plain env or a secret`,
          params: { plain: true },
        });
      }
    }
  });

type ParsedApp = z.output<typeof appSchemaBase>;

/** The one-component shorthand as the component it stands for. */
function shorthand(app: ParsedApp): Record<string, ComponentConfig> {
  const service = app.service;
  if (!service) return {};
  return {
    web: {
      build: app.build,
      port: service.port,
      routes: [{ path: "/" }],
      readiness: { http: service.health },
      liveness: { http: service.health },
      replicas: service.replicas,
      resources: service.resources,
      env: {},
      writable: {},
      ports: {},
    },
  };
}

/** Every app resolves to components; `service:` becomes one named web. */
function withComponents(app: ParsedApp) {
  const components: Record<string, ComponentConfig> = app.components
    ? Object.fromEntries(Object.entries(app.components).map(([name, c]) => [name, { ...c, routes: c.routes ?? [] }]))
    : shorthand(app);
  return { ...app, components };
}

export const appSchema = appSchemaBase.transform(withComponents);

export type AppConfig = z.output<typeof appSchema>;

/** The component whose image jobs and the migration run: the first with its own build. */
export function primaryComponent(app: Pick<AppConfig, "components">): { name: string; component: ComponentConfig } {
  const entry = Object.entries(app.components).find(([, c]) => c.build) ?? Object.entries(app.components)[0];
  if (!entry) throw new InternalError("an app without components passed validation");
  return { name: entry[0], component: entry[1] };
}

export type SecretRecipe = z.output<typeof secretRecipe>;
export type ExportSpec = z.output<typeof exportSpec>;
