import type { ResolvedConfig } from "../config/resolve.js";
import type { SecretRecipe } from "../config/schema/app.js";
import { derivedVariables } from "../config/services.js";
import { S3_KEY_ENV, type Group } from "../project/names.js";

export { GROUPS, type Group } from "../project/names.js";

export interface StoredValue {
  name: string;
  group: Group;
  kind: "generate" | "external";
  recipe?: SecretRecipe | { type: "fixed"; value: string };
  description?: string;
  /** Shown with the value's name in every output where it would otherwise leak; false for non-secret parts. */
  sensitive: boolean;
  /** A password a person logs in with: generated, but `secrets set` may replace it with one they choose. */
  login?: boolean;
}

interface DerivedValue {
  name: string;
  kind: "derived";
  description: string;
  from: { group: Group; name: string }[];
}

export interface SecretPlan {
  stored: StoredValue[];
  derived: DerivedValue[];
  /** True when devstack runs the database (its role follows the stored password). */
  localDatabase: boolean;
}

const DB_PASSWORD: SecretRecipe = { type: "random", length: 40, alphabet: "alphanumeric" };

/** Every secret value a project needs in a profile: what is stored, and what is composed from it. */
export function secretPlan(config: Pick<ResolvedConfig, "app" | "profile">): SecretPlan {
  const stored: StoredValue[] = Object.entries(config.app.secrets).map(([name, spec]) => ({
    name,
    group: "app",
    kind: spec.generate ? "generate" : "external",
    ...(spec.generate ? { recipe: spec.generate } : {}),
    ...(spec.description === undefined ? {} : { description: spec.description }),
    sensitive: true,
  }));
  const derived: DerivedValue[] = [];
  const db = config.app.database;
  if (db) {
    stored.push(
      { name: "username", group: "database", kind: "generate", recipe: { type: "fixed", value: `${db.name}_app` }, description: "the app's database role", sensitive: false },
      config.profile.database.type === "local"
        ? { name: "password", group: "database", kind: "generate", recipe: DB_PASSWORD, description: "the app's database role password", sensitive: true }
        : // The role lives in a database devstack does not run: its password is the one the database has, stored with `secrets set`.
          { name: "password", group: "database", kind: "generate", recipe: DB_PASSWORD, description: "the app's database role password; set it to the role's password in the database with secrets set", sensitive: true, login: true },
    );
    // Each derived variable that carries the password (a URL, or the password itself) is composed from the role.
    for (const v of derivedVariables(config.app).filter((d) => d.service === "database" && d.secret)) {
      derived.push({
        name: v.name,
        kind: "derived",
        description: "url" in v.format ? "connection URL composed from the database role and the profile's endpoint" : "the database role's password",
        from: [
          { group: "database", name: "username" },
          { group: "database", name: "password" },
        ],
      });
    }
  }
  const redis = config.app.redis;
  if (redis) {
    const endpoint = config.profile.redis;
    stored.push(
      endpoint.type === "local"
        ? { name: "password", group: "redis", kind: "generate", recipe: DB_PASSWORD, description: "the password of the app's Redis user", sensitive: true }
        : { name: "password", group: "redis", kind: "external", description: `the auth token of ${endpoint.host}; set it with secrets set redis.password`, sensitive: true },
    );
    for (const v of derivedVariables(config.app).filter((d) => d.service === "redis" && d.secret)) {
      derived.push({ name: v.name, kind: "derived", description: "url" in v.format ? "Redis URL composed from its password and the profile's endpoint" : "the Redis password", from: [{ group: "redis", name: "password" }] });
    }
  }
  if (db && config.profile.database.type === "local") {
    // The local Postgres container's superuser; on RDS the admin is not devstack's to hold.
    stored.push({ name: "postgres-superuser-password", group: "platform", kind: "generate", recipe: DB_PASSWORD, description: "superuser of the local Postgres container", sensitive: true });
  }
  const smtp = config.profile.smtp;
  if (smtp.type === "local") {
    // The local sink takes any credentials; a generated one keeps Alertmanager's secret delivery the same as with a relay.
    stored.push({ name: "SMTP_PASSWORD", group: "platform", kind: "generate", recipe: { type: "random", length: 32, alphabet: "alphanumeric" }, description: "SMTP credential for Alertmanager (the local sink accepts any)", sensitive: true });
  }
  if (smtp.type === "relay") {
    stored.push({ name: smtp.passwordSecret, group: "platform", kind: "external", description: `password of SMTP user ${smtp.username} at ${smtp.host}`, sensitive: true });
  }
  // Grafana's admin login, delivered like every other secret; `secrets set platform.GRAFANA_ADMIN_PASSWORD` chooses one.
  stored.push({ name: "GRAFANA_ADMIN_PASSWORD", group: "platform", kind: "generate", recipe: { type: "random", length: 32, alphabet: "alphanumeric" }, description: "Grafana's admin password (user admin); choose your own with secrets set", sensitive: true, login: true });
  if (runsLocalObjectStore(config)) {
    // The local S3 container's only key pair; a bucket on AWS is reached with the default credential chain (IRSA) instead.
    // The access key identifies, like a role name, so it is shown; the secret key is what proves it.
    const readers = config.app.storage && config.profile.storage.type === "local" ? "export jobs and, as AWS_ACCESS_KEY_ID, the app read it" : "export jobs read it";
    stored.push(
      { name: S3_KEY_ENV.accessKeyId, group: "app", kind: "generate", recipe: { type: "random", length: 20, alphabet: "alphanumeric" }, description: `access key of the local S3 object store (${readers})`, sensitive: false },
      { name: S3_KEY_ENV.secretAccessKey, group: "app", kind: "generate", recipe: { type: "random", length: 40, alphabet: "alphanumeric" }, description: `secret key of the local S3 object store (${readers.replace("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")})`, sensitive: true },
    );
  }
  return { stored, derived, localDatabase: config.profile.database.type === "local" };
}

/** Whether the profile runs the local S3 object store: for exports, or for the app's own bucket (storage:). */
export function runsLocalObjectStore(config: Pick<ResolvedConfig, "app" | "profile">): boolean {
  return config.profile.objectStore.type === "local" || (config.app.storage !== undefined && config.profile.storage.type === "local");
}

/** What `devstack secrets` calls a secret by: the env name, or group.name for the database role. */
export function displayName(value: Pick<StoredValue, "group" | "name">): string {
  return value.group === "app" ? value.name : `${value.group}.${value.name}`;
}
