import type { ResolvedConfig } from "../config/resolve.js";
import type { ServiceEndpoints } from "./up-services.js";

/** The environment for running the app (or its tests) on the host against the local services. */
export function hostEnvironment(config: ResolvedConfig, endpoints: ServiceEndpoints, secrets: Record<string, string>): Record<string, string> {
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
