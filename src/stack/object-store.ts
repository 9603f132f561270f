import type { S3Client } from "@aws-sdk/client-s3";

/** The bucket `up` creates in the local object store; exports land there as they would in the profile's S3 bucket. */
export const LOCAL_EXPORT_BUCKET = "exports";
/** Any region signs for the local store; us-east-1 is the one every S3-compatible server accepts. */
export const LOCAL_OBJECT_STORE_REGION = "us-east-1";
/**
 * The local object store's keys, stored with the app's secrets under these
 * env names: the app's ExternalSecret then hands them to export CronJobs,
 * which read them as environment variables (on AWS, IRSA replaces them).
 */
export const S3_KEY_ENV = { accessKeyId: "EXPORT_S3_ACCESS_KEY_ID", secretAccessKey: "EXPORT_S3_SECRET_ACCESS_KEY" } as const;

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
  // The SDK warns on every process under Node 20, which devstack still supports; `up` cannot act on it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
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
