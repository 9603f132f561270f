import type { S3Client } from "@aws-sdk/client-s3";
import { LOCAL_OBJECT_STORE_REGION, S3_KEY_ENV } from "../../project/names.js";
import { runsLocalObjectStore } from "../../secrets/model.js";
import { volumeName } from "../names.js";
import { resolveImage, type StandIn } from "./standin.js";

/** S3's stand-in: RustFS, its data in a volume, its only key pair from the secret store. */
const S3_PORT = 9000;

/** The object store's only key pair, generated into the app group of the secret store; the app's storage: gets it as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. */
export const OBJECT_STORE_ACCESS_KEY = { group: "app" as const, name: S3_KEY_ENV.accessKeyId };
export const OBJECT_STORE_SECRET_KEY = { group: "app" as const, name: S3_KEY_ENV.secretAccessKey };

export const objectStore: StandIn = {
  component: "object-store",
  nameSuffix: "object-store",
  image: "docker.io/rustfs/rustfs:1.0.0",
  memoryMi: 96,
  wanted: ({ config }) => runsLocalObjectStore(config),
  container: ({ config, stack }) => ({
    component: "object-store",
    image: resolveImage(objectStore, config.profile.images),
    // RustFS takes its data directory as the command.
    cmd: ["/data"],
    env: {},
    // Read from RUSTFS_ACCESS_KEY_FILE / RUSTFS_SECRET_KEY_FILE: the keys never sit in the container's config.
    secretEnv: { RUSTFS_ACCESS_KEY: OBJECT_STORE_ACCESS_KEY, RUSTFS_SECRET_KEY: OBJECT_STORE_SECRET_KEY },
    ports: [{ container: S3_PORT, host: config.profile.ports.objectStore, purpose: "S3 API", key: "ports.objectStore" }],
    volumes: [{ name: volumeName(stack, "object-store"), path: "/data" }],
    aliases: ["object-store"],
  }),
  url: (config) => `http://127.0.0.1:${config.profile.ports.objectStore}`,
  clusterPorts: [{ name: "s3", port: S3_PORT }],
};

export interface ObjectStoreCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * A client for an S3-compatible server. Path-style, because the local store
 * has no per-bucket host names; the SDK is imported here, not at start-up, so
 * commands that never touch S3 do not pay for loading it.
 */
export async function objectStoreClient(endpoint: string, credentials: ObjectStoreCredentials): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  return new S3Client({ endpoint, region: LOCAL_OBJECT_STORE_REGION, forcePathStyle: true, credentials });
}

/** Creates the bucket unless it is there; true when it was created now. Safe to repeat. */
export async function ensureBucket(client: S3Client, bucket: string): Promise<boolean> {
  const { CreateBucketCommand } = await import("@aws-sdk/client-s3");
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (["BucketAlreadyOwnedByYou", "BucketAlreadyExists"].includes((error as Error).name)) return false;
    throw error;
  }
}

async function statusOf(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined;
  }
}

/**
 * True once the server answers HTTP. RustFS serves /health; a stand-in may
 * not, so any response to GET / (403 for an unsigned request) counts too.
 */
export async function objectStoreAnswering(endpoint: string): Promise<true | undefined> {
  if ((await statusOf(`${endpoint}/health`)) === 200) return true;
  return (await statusOf(`${endpoint}/`)) === undefined ? undefined : true;
}
