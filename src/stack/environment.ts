import type { ResolvedConfig } from "../config/resolve.js";
import type { ServiceEndpoints } from "./up-services.js";

/** The environment for running the app (or its tests) on the host against the local services. */
export function hostEnvironment(config: Pick<ResolvedConfig, "app">, endpoints: ServiceEndpoints, secrets: Record<string, string>): Record<string, string> {
  return {
    ...config.app.env,
    ...secrets,
    ...(endpoints.postgres && config.app.database ? { [config.app.database.env]: endpoints.postgres.url } : {}),
    ...(endpoints.smtp ? { SMTP_URL: `smtp://${endpoints.smtp.host}:${endpoints.smtp.port}`, SMTP_API_URL: endpoints.smtp.api } : {}),
    // Where exports go; the keys are not here (they are the object store's, read from the secret store).
    ...(endpoints.objectStore ? { EXPORT_S3_ENDPOINT: endpoints.objectStore.endpoint, EXPORT_S3_BUCKET: endpoints.objectStore.bucket } : {}),
    ...(endpoints.acme ? { ACME_DIRECTORY: endpoints.acme.directory, ACME_CA_FILE: endpoints.acme.caFile } : {}),
    REGISTRY: endpoints.registry,
  };
}

/**
 * Each component's environment on the host: the app's, the component's own
 * env, and only the secrets it names (all, when it names none). Only for a
 * product of several components; one component's is hostEnvironment's.
 */
export function componentEnvironments(config: Pick<ResolvedConfig, "app">, endpoints: ServiceEndpoints, secrets: Record<string, string>): Record<string, Record<string, string>> {
  const all = hostEnvironment(config, endpoints, secrets);
  const secretNames = new Set([...Object.keys(secrets), ...(config.app.database ? [config.app.database.env] : [])]);
  return Object.fromEntries(
    Object.entries(config.app.components).map(([name, component]) => {
      const allowed = component.secrets === undefined ? undefined : new Set(component.secrets);
      const env = Object.fromEntries(Object.entries(all).filter(([k]) => !secretNames.has(k) || allowed === undefined || allowed.has(k)));
      return [name, { ...env, ...component.env, ...(component.port !== undefined ? { PORT: String(component.port) } : {}) }];
    }),
  );
}
