import type { ServiceKind } from "./facts.js";

// Which variables a managed service delivers, chosen by the names the code
// reads: a service's `env:` default only fits code that reads exactly those.

type Parts = Record<string, string>;

const URL_NAMES: Record<ServiceKind, string[]> = {
  database: ["DATABASE_URL", "DB_URL", "POSTGRES_URL", "POSTGRESQL_URL", "DATABASE_URI", "SQLALCHEMY_DATABASE_URI", "PG_URL", "PGURL"],
  redis: ["REDIS_URL", "REDIS_URI", "CELERY_BROKER_URL", "BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_TLS_URL", "REDISCLOUD_URL", "CACHE_URL", "RQ_REDIS_URL", "SIDEKIQ_REDIS_URL"],
  storage: [],
  mail: ["SMTP_URL", "EMAIL_URL", "MAIL_URL", "MAILER_URL", "MAILER_DSN"],
};

const SPLIT: Record<ServiceKind, { prefixes: string[]; suffixes: Parts }> = {
  database: {
    prefixes: ["DB_", "DATABASE_", "POSTGRES_", "POSTGRESQL_", "PG_", "PG", "SQL_"],
    suffixes: { HOST: "host", HOSTNAME: "host", SERVER: "host", PORT: "port", NAME: "name", DB: "name", DATABASE: "name", USER: "username", USERNAME: "username", PASSWORD: "password", PASS: "password", SSLMODE: "sslmode", SSL_MODE: "sslmode" },
  },
  redis: { prefixes: ["REDIS_"], suffixes: { HOST: "host", PORT: "port", USER: "username", USERNAME: "username", PASSWORD: "password", PASS: "password", TLS: "tls" } },
  storage: { prefixes: [], suffixes: {} },
  mail: {
    prefixes: ["SMTP_", "EMAIL_", "MAIL_", "EMAIL_HOST_", "MAILER_"],
    suffixes: { HOST: "host", SERVER: "host", PORT: "port", USER: "username", USERNAME: "username", PASSWORD: "password", FROM: "from" },
  },
};

const STORAGE: Parts = {
  S3_BUCKET: "bucket",
  S3_BUCKET_NAME: "bucket",
  AWS_STORAGE_BUCKET_NAME: "bucket",
  AWS_BUCKET: "bucket",
  AWS_S3_BUCKET: "bucket",
  AWS_BUCKET_NAME: "bucket",
  BUCKET_NAME: "bucket",
  BUCKET: "bucket",
  AWS_REGION: "region",
  AWS_DEFAULT_REGION: "region",
  AWS_S3_REGION_NAME: "region",
  S3_REGION: "region",
  AWS_ENDPOINT_URL_S3: "endpoint",
  AWS_ENDPOINT_URL: "endpoint",
  AWS_S3_ENDPOINT_URL: "endpoint",
  S3_ENDPOINT: "endpoint",
  S3_ENDPOINT_URL: "endpoint",
  AWS_ENDPOINT: "endpoint",
  S3_FORCE_PATH_STYLE: "forcePathStyle",
  AWS_S3_FORCE_PATH_STYLE: "forcePathStyle",
  AWS_USE_PATH_STYLE_ENDPOINT: "forcePathStyle",
};

const MAIL_EXTRA: Parts = { DEFAULT_FROM_EMAIL: "from", SERVER_EMAIL: "from", EMAIL_HOST_USER: "username", EMAIL_HOST_PASSWORD: "password" };

const DEFAULTS: Record<ServiceKind, Parts> = {
  database: { DATABASE_URL: "url" },
  redis: { REDIS_URL: "url" },
  storage: { S3_BUCKET: "bucket", AWS_REGION: "region", AWS_ENDPOINT_URL_S3: "endpoint", S3_FORCE_PATH_STYLE: "forcePathStyle" },
  mail: { SMTP_URL: "url", MAIL_FROM: "from" },
};

/** The part of a service a variable name stands for, if it is one of the service's. */
function partOf(service: ServiceKind, name: string): string | undefined {
  if (URL_NAMES[service].includes(name)) return "url";
  if (service === "storage") return STORAGE[name];
  if (service === "mail" && MAIL_EXTRA[name]) return MAIL_EXTRA[name];
  const { prefixes, suffixes } = SPLIT[service];
  // Longest prefix first, so EMAIL_HOST_USER is EMAIL_HOST_ + USER, not EMAIL_ + HOST_USER.
  for (const prefix of [...prefixes].sort((a, b) => b.length - a.length)) {
    if (!name.startsWith(prefix)) continue;
    const part = suffixes[name.slice(prefix.length)];
    if (part) return part;
  }
  return undefined;
}

/**
 * A service's `env:` for the names read: undefined when the default fits,
 * else a map of names to parts. Storage keeps the endpoint and region the
 * AWS SDKs read by themselves, so the local bucket stays reachable.
 */
export function serviceEnv(service: ServiceKind, names: string[], scheme?: string): Record<string, string | { url: string }> | undefined {
  const chosen: Parts = {};
  for (const name of names) {
    const part = partOf(service, name);
    if (part) chosen[name] = part;
  }
  if (scheme) return Object.keys(chosen).length === 0 ? { DATABASE_URL: { url: scheme } } : Object.fromEntries(Object.entries(chosen).map(([n, part]) => [n, part === "url" ? { url: scheme } : part]));
  const keys = Object.keys(chosen);
  if (keys.length === 0) return undefined;
  const defaults = DEFAULTS[service];
  if (keys.every((k) => defaults[k] === chosen[k])) return undefined;
  // libpq reads PGSSLMODE itself: code that reads PG* variables gets TLS from it.
  if (service === "database" && keys.some((k) => /^PG[A-Z]+$/.test(k)) && !Object.values(chosen).includes("sslmode")) chosen.PGSSLMODE = "sslmode";
  if (service === "storage") {
    const parts = new Set(Object.values(chosen));
    if (!parts.has("endpoint")) chosen.AWS_ENDPOINT_URL_S3 = "endpoint";
    if (!parts.has("region")) chosen.AWS_REGION = "region";
  }
  if (service === "mail" && !Object.values(chosen).includes("url") && !Object.values(chosen).includes("host")) chosen.SMTP_URL = "url";
  return chosen;
}

/** Secrets an app may have generated: any long random string serves. */
const GENERATABLE = new Set([
  "SECRET_KEY",
  "SECRET_KEY_BASE",
  "DJANGO_SECRET_KEY",
  "FLASK_SECRET_KEY",
  "SESSION_SECRET",
  "SESSION_KEY",
  "COOKIE_SECRET",
  "JWT_SECRET",
  "JWT_SECRET_KEY",
  "NEXTAUTH_SECRET",
  "AUTH_SECRET",
  "APP_SECRET",
  "TOKEN_SECRET",
  "ENCRYPTION_KEY",
  "SIGNING_KEY",
]);

export function generatable(name: string): boolean {
  return GENERATABLE.has(name);
}

/** Values devstack itself knows: the app's own URL and host. */
const SELF: Record<string, string> = {
  PUBLIC_URL: "${url}",
  APP_URL: "${url}",
  BASE_URL: "${url}",
  SITE_URL: "${url}",
  ROOT_URL: "${url}",
  NEXTAUTH_URL: "${url}",
  FRONTEND_URL: "${url}",
  APP_HOST: "${host}",
  ALLOWED_HOSTS: "${host}",
  DJANGO_ALLOWED_HOSTS: "${host}",
  CSRF_TRUSTED_ORIGINS: "${url}",
};

export function selfValue(name: string): string | undefined {
  return SELF[name];
}

/** Variables the platform sets or the runtime owns: never written as env. */
export const PLATFORM_NAMES = new Set(["PORT", "HOME", "PATH", "HOSTNAME", "PWD", "TZ", "CI", "DEBUG", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"]);

/** A service the variable names imply when no package or image said so. */
export function impliedService(name: string): ServiceKind | undefined {
  if (URL_NAMES.database.includes(name)) return "database";
  if (URL_NAMES.redis.includes(name) && name !== "CACHE_URL") return "redis";
  if (STORAGE[name] === "bucket") return "storage";
  if (URL_NAMES.mail.includes(name) || (partOf("mail", name) === "host" && name !== "MAIL_SERVER")) return "mail";
  return undefined;
}
