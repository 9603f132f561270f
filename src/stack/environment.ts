import type { ResolvedConfig } from "../config/resolve.js";
import { STORAGE_KEY_NAMES } from "../config/schema/services.js";
import { derivedVariables, deriveValues, SERVICES, type ServiceName } from "../config/services.js";
import { S3_KEY_ENV } from "../project/names.js";
import type { ServiceEndpoints } from "./configure-services.js";

type Config = Pick<ResolvedConfig, "app" | "host">;

/**
 * Each of the app's services as the host reaches it, part by part: the same
 * parts the chart fills in for the pods, with the host's addresses. A service
 * the stack does not run here (none is up, or the profile puts it elsewhere)
 * has no parts, so its variables are left out rather than made up.
 */
function hostServiceParts(config: Config, endpoints: ServiceEndpoints): Partial<Record<ServiceName, Record<string, string>>> {
  const { app } = config;
  const parts: Partial<Record<ServiceName, Record<string, string>>> = {};
  const pg = endpoints.postgres;
  if (app.database && pg) parts.database = { host: pg.host, port: String(pg.port), name: pg.database, username: pg.user, password: pg.password, sslmode: "disable" };
  const redis = endpoints.redis;
  if (app.redis && redis) parts.redis = { host: redis.host, port: String(redis.port), username: redis.username, password: redis.password, tls: "false" };
  const storage = endpoints.storage;
  if (app.storage && storage) parts.storage = { bucket: storage.bucket, region: storage.region, endpoint: storage.endpoint, forcePathStyle: "true" };
  // The sink takes mail from anyone: no credentials.
  const smtp = endpoints.smtp;
  if (app.mail && smtp) parts.mail = { host: smtp.host, port: String(smtp.port), username: "", password: "", from: app.mail.from ?? `noreply@${config.host}` };
  return parts;
}

function serviceEnvironment(config: Config, endpoints: ServiceEndpoints, secrets: Record<string, string>): Record<string, string> {
  const parts = hostServiceParts(config, endpoints);
  const env: Record<string, string> = {};
  for (const service of SERVICES) {
    const own = parts[service];
    if (own) Object.assign(env, deriveValues(config.app, service, own));
  }
  // The AWS SDKs read the local object store's key pair from these; production pods use their role (IRSA) instead.
  const accessKeyId = secrets[S3_KEY_ENV.accessKeyId];
  const secretAccessKey = secrets[S3_KEY_ENV.secretAccessKey];
  if (parts.storage && accessKeyId && secretAccessKey) Object.assign(env, { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey });
  return env;
}

/**
 * The environment for running the app (or its tests) on the host against the
 * local services: the app's env and secrets (the app group of the store),
 * every variable its services derive, and where the tooling services are.
 */
export function hostEnvironment(config: Config, endpoints: ServiceEndpoints, secrets: Record<string, string>): Record<string, string> {
  return {
    ...config.app.env,
    ...secrets,
    // Without a mail: block the sink is still there for the app's tests; with one, its variables say where.
    ...(endpoints.smtp && !config.app.mail ? { SMTP_URL: `smtp://${endpoints.smtp.host}:${endpoints.smtp.port}` } : {}),
    ...serviceEnvironment(config, endpoints, secrets),
    ...(endpoints.smtp ? { SMTP_API_URL: endpoints.smtp.api } : {}),
    // Where exports go; the keys are not here (they are the object store's, read from the secret store).
    ...(endpoints.objectStore ? { EXPORT_S3_ENDPOINT: endpoints.objectStore.endpoint, EXPORT_S3_BUCKET: endpoints.objectStore.bucket } : {}),
    ...(endpoints.acme ? { ACME_DIRECTORY: endpoints.acme.directory, ACME_CA_FILE: endpoints.acme.caFile } : {}),
    REGISTRY: endpoints.registry,
  };
}

/**
 * Each component's environment on the host: the app's, the component's own
 * env, and only the secrets it names (all, when it names none). Secrets are
 * the stored ones, the derived variables that carry a password, and the
 * object store's key pair; the plain derived variables reach every component.
 * Only for a product of several components; one component's is hostEnvironment's.
 */
export function componentEnvironments(config: Config, endpoints: ServiceEndpoints, secrets: Record<string, string>): Record<string, Record<string, string>> {
  const all = hostEnvironment(config, endpoints, secrets);
  const secretNames = new Set([
    ...Object.keys(secrets),
    ...derivedVariables(config.app)
      .filter((v) => v.secret)
      .map((v) => v.name),
    ...(config.app.storage ? STORAGE_KEY_NAMES : []),
  ]);
  return Object.fromEntries(
    Object.entries(config.app.components).map(([name, component]) => {
      const allowed = component.secrets === undefined ? undefined : new Set(component.secrets);
      const env = Object.fromEntries(Object.entries(all).filter(([k]) => !secretNames.has(k) || allowed === undefined || allowed.has(k)));
      return [name, { ...env, ...component.env, ...(component.port !== undefined ? { PORT: String(component.port) } : {}) }];
    }),
  );
}
