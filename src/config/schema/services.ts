import * as z from "zod";
import { email, envName, sqlIdentifier } from "./common.js";

// The managed services an app may use beside its components, and the
// variables each derives from its parts. A variable is a URL with a chosen
// scheme or one part (split variables); values are derived where they are
// delivered, from the parts, so nothing is stored twice.

/** The parts of each service a derived variable may carry; `url` is the whole connection URL. */
export const SERVICE_PARTS = {
  database: ["url", "host", "port", "name", "username", "password", "sslmode"],
  redis: ["url", "host", "port", "username", "password", "tls"],
  storage: ["url", "bucket", "region", "endpoint", "forcePathStyle"],
  mail: ["url", "host", "port", "username", "password", "from"],
} as const;

export type ServiceName = keyof typeof SERVICE_PARTS;

/** A derived variable: one part, or the URL with this scheme. */
export type VariableFormat = { part: string } | { url: string };

const scheme = z.string().regex(/^[a-z][a-z0-9+.-]*$/, { error: "a URL scheme such as postgresql+psycopg" });

function variables<S extends ServiceName>(service: S, defaults: Record<string, VariableFormat>) {
  const parts = SERVICE_PARTS[service] as readonly string[];
  const format = z.union(
    [
      z.enum(parts as [string, ...string[]], { error: `one of the ${service}'s parts: ${parts.join(", ")}; or {url: <scheme>}` }).transform((part): VariableFormat => (part === "url" ? { url: "" } : { part })),
      z.strictObject({ url: scheme }).transform((u): VariableFormat => ({ url: u.url })),
    ],
    { error: `one of the ${service}'s parts (${parts.join(", ")}) or {url: <scheme>}` },
  );
  return z
    .union([envName.transform((name): Record<string, VariableFormat> => ({ [name]: { url: "" } })), z.record(envName, format)], {
      error: `the variable that receives the ${service}'s URL (e.g. ${Object.keys(defaults)[0]}), or a map of variables to parts, e.g. {${Object.keys(defaults)[0]}: {url: ${service === "database" ? "postgresql+psycopg" : "redis"}}}`,
    })
    .default(defaults)
    .superRefine((vars, ctx) => {
      if (Object.keys(vars).length === 0) ctx.addIssue({ code: "custom", message: `at least one variable, e.g. {${Object.keys(defaults)[0]}: url}`, params: { plain: true } });
    })
    .describe(`the variables derived from the ${service}'s parts (${parts.join(", ")}): a variable name for the URL, or a map of names to parts or {url: <scheme>}`);
}

export const databaseSpec = z.strictObject({
  engine: z.literal("postgres").default("postgres"),
  version: z.enum(["14", "15", "16", "17", "18"]).default("16"),
  name: sqlIdentifier,
  env: variables("database", { DATABASE_URL: { url: "" } }),
});

export const redisSpec = z.strictObject({
  version: z.enum(["7"]).default("7").describe("the major version; ElastiCache's engine version should match"),
  env: variables("redis", { REDIS_URL: { url: "" } }),
});

export const storageSpec = z.strictObject({
  env: variables("storage", {
    S3_BUCKET: { part: "bucket" },
    AWS_REGION: { part: "region" },
    AWS_ENDPOINT_URL_S3: { part: "endpoint" },
    S3_FORCE_PATH_STYLE: { part: "forcePathStyle" },
  }),
});

export const mailSpec = z.strictObject({
  from: email.optional().describe("the app's sender address (default: the relay's from:, locally noreply@<host>)"),
  env: variables("mail", { SMTP_URL: { url: "" }, MAIL_FROM: { part: "from" } }),
});

/** Each service's default URL scheme; redis's becomes rediss with TLS. */
export const DEFAULT_SCHEME: Record<ServiceName, string> = { database: "postgresql", redis: "redis", storage: "s3", mail: "smtp" };

/** The parts whose values are secret: a variable carrying one is delivered as a secret. */
export const SECRET_PARTS: Record<ServiceName, readonly string[]> = {
  database: ["url", "password"],
  redis: ["url", "password"],
  storage: [],
  mail: ["url", "password"],
};

/** The local object store's key pair as the app receives it; in production the pods use their role (IRSA) instead. */
export const STORAGE_KEY_NAMES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
