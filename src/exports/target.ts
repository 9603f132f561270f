import type { ClientConfig } from "pg";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError, UsageError } from "../errors.js";
import type { Snapshot } from "../secrets/store.js";
import { LOCAL_EXPORT_BUCKET, LOCAL_OBJECT_STORE_REGION } from "../project/names.js";
import { parseLocation, type Location, type S3Credentials } from "./destination.js";
import { objectStoreRegion, S3_KEY_ENV, type ExportJobConfig } from "./job-config.js";

/** Where one export run reads from and writes to, whichever way devstack export was started. */
export interface ExportTarget {
  exports: ExportJobConfig["exports"];
  connection: ClientConfig;
  location: Location;
  credentials?: S3Credentials;
}

function sslFor(mode: "disable" | "require" | "verify-ca" | "verify-full", host: string): ClientConfig["ssl"] {
  if (mode === "disable") return false;
  if (mode === "require") return { rejectUnauthorized: false };
  // verify-ca checks the chain but not the name, as libpq does.
  if (mode === "verify-ca") return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { rejectUnauthorized: true, servername: host };
}

/** The object store a profile names, as a location; `--out` replaces it. */
export function profileLocation(config: ResolvedConfig): Location {
  const store = config.profile.objectStore;
  if (store.type === "local") return { type: "s3", bucket: LOCAL_EXPORT_BUCKET, prefix: "", endpoint: `http://127.0.0.1:${config.profile.ports.objectStore}`, region: LOCAL_OBJECT_STORE_REGION };
  const region = objectStoreRegion(config);
  return { type: "s3", bucket: store.bucket, prefix: store.prefix, ...(region ? { region } : {}) };
}

/** The keys of the local object store, from the store; AWS S3 uses the default credential chain. */
function localObjectStoreKeys(snapshot: Snapshot): S3Credentials | undefined {
  const accessKeyId = snapshot.app[S3_KEY_ENV.accessKeyId]?.value;
  const secretAccessKey = snapshot.app[S3_KEY_ENV.secretAccessKey]?.value;
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

/** From a laptop or CI: the profile's database endpoint and object store, credentials from its secret store. */
export function profileTarget(config: ResolvedConfig, snapshot: Snapshot, out?: string): ExportTarget {
  const db = config.app.database;
  if (!db) throw new UsageError("devstack.yaml has no database:, so there is nothing to export", "add database: (and exports:) to devstack.yaml");
  const user = snapshot.database.username?.value;
  const password = snapshot.database.password?.value;
  if (!user || !password) {
    throw new DevstackError(`the ${config.profileName} secret store has no database role yet`, { fix: config.profile.database.type === "local" ? "run `devstack up` first: it creates the database and its role" : `run \`devstack secrets sync --profile ${config.profileName}\`` });
  }
  const endpoint = config.profile.database;
  const connection: ClientConfig =
    endpoint.type === "local"
      ? { host: "127.0.0.1", port: config.profile.ports.postgres, database: db.name, user, password, ssl: false }
      : { host: endpoint.host, port: endpoint.port, database: db.name, user, password, ssl: sslFor(endpoint.sslmode, endpoint.host) };
  const location = out ? parseLocation(out) : profileLocation(config);
  const usesLocalStore = !out && config.profile.objectStore.type === "local";
  const credentials = usesLocalStore ? localObjectStoreKeys(snapshot) : undefined;
  if (usesLocalStore && !credentials) throw new DevstackError("the local object store has no keys yet", { fix: "run `devstack up`: it starts the object store and creates its keys" });
  return { exports: config.app.exports, connection, location, ...(credentials ? { credentials } : {}) };
}

/** In the cluster: the mounted job config, the database URL and keys from the environment. */
export function jobTarget(job: ExportJobConfig, env: NodeJS.ProcessEnv, out?: string): ExportTarget {
  const url = env[job.databaseEnv];
  if (!url) throw new DevstackError(`${job.databaseEnv} is not set in the export job's environment`, { fix: "the CronJob takes it from the app's database ExternalSecret; check `kubectl get externalsecret` in the app's namespace" });
  const location = parseLocation(out ?? job.destination);
  if (location.type === "s3" && !out) {
    if (job.endpoint) location.endpoint = job.endpoint;
    if (job.region) location.region = job.region;
  }
  const accessKeyId = env[S3_KEY_ENV.accessKeyId];
  const secretAccessKey = env[S3_KEY_ENV.secretAccessKey];
  return {
    exports: job.exports,
    connection: { connectionString: url },
    location,
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  };
}
