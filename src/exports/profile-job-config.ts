import { derivedVariables } from "../config/services.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { LOCAL_EXPORT_BUCKET, LOCAL_OBJECT_STORE_REGION, LOCAL_OBJECT_STORE_URL } from "../project/names.js";
import { objectStoreRegion, type ExportJobConfig } from "./job-config.js";

/**
 * The job config for a profile's cluster: the object store as pods reach it.
 * Apart from job-config.ts, which the CronJob reads without loading the
 * config schema that this side needs.
 */
export function exportJobConfig(config: ResolvedConfig): ExportJobConfig {
  const store = config.profile.objectStore;
  const region = objectStoreRegion(config);
  return {
    app: config.app.name,
    profile: config.profileName,
    exports: config.app.exports,
    destination: store.type === "local" ? `s3://${LOCAL_EXPORT_BUCKET}/` : `s3://${store.bucket}/${store.prefix}`,
    ...(store.type === "local" ? { endpoint: LOCAL_OBJECT_STORE_URL, region: LOCAL_OBJECT_STORE_REGION } : {}),
    ...(region ? { region } : {}),
    // The schema makes sure an app with exports derives a database URL.
    databaseEnv: derivedVariables(config.app).find((v) => v.service === "database" && "url" in v.format)?.name ?? "DATABASE_URL",
  };
}
