import { readFileSync } from "node:fs";
import type { ExportSpec } from "../config/schema/app.js";
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
export const JOB_CONFIG_PATH = "/etc/devstack/exports.json";

/** Keys of the local object store as the export job and the host see them (AWS S3 uses the default chain instead). */
export const S3_KEY_ENV = { accessKeyId: "EXPORT_S3_ACCESS_KEY_ID", secretAccessKey: "EXPORT_S3_SECRET_ACCESS_KEY" } as const;

export function readJobConfig(path: string): ExportJobConfig {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as ExportJobConfig;
  } catch (error) {
    throw new DevstackError(`cannot read the export job config ${path}: ${(error as Error).message}`, { fix: "the CronJob mounts it from the <app>-exports ConfigMap; redeploy with `devstack deploy`", cause: error });
  }
}
