import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

// The bucket of storage:. Locally an S3-compatible container, addressed by
// path and signed with the keys devstack generated (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY); in production S3 itself through the pod's role
// (IRSA), which the SDK's default credential chain finds: no keys at all.
const bucket = process.env.S3_BUCKET;

export function receiptStore() {
  if (!bucket) throw new Error("S3_BUCKET is not set");
  return new S3Client({
    region: process.env.AWS_REGION || "us-east-1",
    endpoint: process.env.AWS_ENDPOINT_URL_S3 || undefined,
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === "true",
    // Bounded, so a hung connection fails the job (and it is retried) well within the worker's liveness window.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 },
  });
}

/** Writes receipts/<id>.json; the same order always writes the same key, so a retried job overwrites, never duplicates. */
export async function writeReceipt(s3, receipt) {
  const key = `receipts/${receipt.order}.json`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(receipt, null, 2), ContentType: "application/json" }));
  return key;
}
