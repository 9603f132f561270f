import { readFileSync } from "node:fs";
import type { ResolvedConfig } from "../config/resolve.js";
import type { ExportSpec } from "../config/schema/app.js";

export { S3_KEY_ENV } from "../project/names.js";
import { DevstackError } from "../errors.js";

/**
 * What an export CronJob knows, mounted from a ConfigMap: the same export
 * specs as devstack.yaml, resolved for the profile, and where files go.
 * Secrets are not in it: the database URL and any object store keys arrive
 * as environment variables from the app's ExternalSecrets.
 */
export interface ExportJobConfig {
  app: string;
  profile: string;
  exports: Record<string, ExportSpec>;
  destination: string;
  /** An S3-compatible endpoint (the local object store); AWS S3 when absent. */
  endpoint?: string;
  region?: string;
  /** The environment variable holding the database URL. */
  databaseEnv: string;
}

/** The env var naming the mounted config: its presence is how `devstack export` knows it runs in the cluster. */
export const JOB_CONFIG_ENV = "DEVSTACK_EXPORT_CONFIG";

export function readJobConfig(path: string): ExportJobConfig {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as ExportJobConfig;
  } catch (error) {
    throw new DevstackError(`cannot read the export job config ${path}: ${(error as Error).message}`, { fix: "the CronJob mounts it from the <app>-exports ConfigMap; redeploy with `devstack deploy`", cause: error });
  }
}

/** The region of a profile's S3 bucket: its own, or the EKS cluster's. */
export function objectStoreRegion(config: ResolvedConfig): string | undefined {
  const store = config.profile.objectStore;
  if (store.type !== "s3") return undefined;
  return store.region ?? (config.profile.cluster.type === "eks" ? config.profile.cluster.region : undefined);
}
