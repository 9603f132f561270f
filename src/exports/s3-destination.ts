import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import { DevstackError, InternalError } from "../errors.js";
import { WATERMARK_FILE, type Destination, type Location, type S3Credentials } from "./destination.js";
import type { Watermark } from "./window.js";

type S3Location = Extract<Location, { type: "s3" }>;

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
}

/** S3's refusals, said with what to do about them; anything else passes through. */
function explained(error: unknown, uri: string): unknown {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (e.name === "NoSuchBucket") return new DevstackError(`the bucket of ${uri} does not exist`, { fix: "create it (locally `devstack up` does), or point --out / the profile's objectStore at one that exists", cause: error });
  if (status === 403 || e.name === "SignatureDoesNotMatch" || e.name === "InvalidAccessKeyId" || e.name === "AccessDenied") {
    return new DevstackError(`the object store refused access to ${uri}: ${e.name ?? status}`, { fix: "check the credentials: the local store's keys come from `devstack up`; on AWS the identity (or IRSA role) needs s3:GetObject, s3:PutObject and s3:ListBucket on the prefix", cause: error });
  }
  if (e.name === "TimeoutError" || (e as { code?: string }).code === "ECONNREFUSED") return new DevstackError(`the object store for ${uri} does not answer: ${e.message}`, { fix: "locally, run `devstack up` (it starts the object store)", cause: error });
  return error;
}

/**
 * S3 or anything speaking its API. A PUT is durable once S3 answers; the
 * watermark is written with a precondition on the version read, so two runs
 * that raced cannot both move it.
 */
export class S3Destination implements Destination {
  readonly uri: string;
  /** The version of each export's watermark this process read or wrote; the next write is conditional on it. */
  private readonly etags = new Map<string, string | undefined>();

  private constructor(
    private readonly s3: S3Client,
    private readonly sdk: typeof import("@aws-sdk/client-s3"),
    private readonly location: S3Location,
  ) {
    this.uri = `s3://${location.bucket}/${location.prefix}`;
  }

  static async open(location: S3Location, credentials?: S3Credentials): Promise<S3Destination> {
    const sdk = await import("@aws-sdk/client-s3");
    const s3 = new sdk.S3Client({
      region: location.region ?? process.env.AWS_REGION ?? "us-east-1",
      ...(location.endpoint ? { endpoint: location.endpoint, forcePathStyle: true } : {}),
      // A store that stops answering fails the run (nothing is lost) instead of holding the CronJob for hours.
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 300_000 },
      ...(credentials ? { credentials } : {}),
    });
    return new S3Destination(s3, sdk, location);
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw explained(error, this.uri);
    }
  }

  private etagOf(exportName: string): string | undefined {
    if (!this.etags.has(exportName)) throw new InternalError(`watermark of ${exportName} written without reading it first`);
    return this.etags.get(exportName);
  }

  private key(...parts: string[]): string {
    return `${this.location.prefix}${parts.join("/")}`;
  }

  async lock(): Promise<() => Promise<void>> {
    // S3 has no locks; the conditional watermark write below catches a concurrent run.
    return async () => {};
  }

  async readWatermark(exportName: string): Promise<Watermark | undefined> {
    try {
      const out = await this.call(() => this.s3.send(new this.sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(exportName, WATERMARK_FILE) })));
      this.etags.set(exportName, out.ETag);
      const text = (await out.Body?.transformToString("utf8")) ?? "";
      try {
        return JSON.parse(text) as Watermark;
      } catch (error) {
        throw new DevstackError(`the watermark ${this.uri}${exportName}/${WATERMARK_FILE} is unreadable`, { fix: "restore an earlier version of the object, or run `devstack export --full` to export everything again", cause: error });
      }
    } catch (error) {
      if (isMissing(error)) {
        this.etags.set(exportName, undefined);
        return undefined;
      }
      throw error;
    }
  }

  async putPart(exportName: string, partition: string, name: string, file: string): Promise<string> {
    const key = this.key(exportName, partition, name);
    const { Upload } = await import("@aws-sdk/lib-storage");
    // Multipart above 16 MiB keeps memory flat whatever the part's size.
    await new Upload({
      client: this.s3,
      params: { Bucket: this.location.bucket, Key: key, Body: createReadStream(file), ContentLength: statSync(file).size, ContentType: "application/vnd.apache.parquet" },
      partSize: 16 * 1024 * 1024,
      queueSize: 2,
    })
      .done()
      .catch((error: unknown) => {
        throw explained(error, this.uri);
      });
    return `s3://${this.location.bucket}/${key}`;
  }

  async writeWatermark(exportName: string, watermark: Watermark): Promise<void> {
    try {
      const out = await this.call(() => this.s3.send(
        new this.sdk.PutObjectCommand({
          Bucket: this.location.bucket,
          Key: this.key(exportName, WATERMARK_FILE),
          Body: `${JSON.stringify(watermark, null, 2)}\n`,
          ContentType: "application/json",
          ...(this.etagOf(exportName) ? { IfMatch: this.etagOf(exportName) } : { IfNoneMatch: "*" }),
        }),
      ));
      this.etags.set(exportName, out.ETag);
    } catch (error) {
      const e = error as { $metadata?: { httpStatusCode?: number } };
      if (e.$metadata?.httpStatusCode === 412) {
        throw new DevstackError(`another run moved the watermark of ${exportName} while this one exported`, { fix: "nothing is lost: this run's files stay, and the next run re-reads from the newer watermark", cause: error });
      }
      throw error;
    }
  }

  async localFiles(exportName: string, cacheDir: string): Promise<string[]> {
    const prefix = this.key(exportName, "");
    const files: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(() => this.s3.send(new this.sdk.ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) })));
      for (const object of page.Contents ?? []) {
        if (!object.Key?.endsWith(".parquet")) continue;
        const local = join(cacheDir, exportName, object.Key.slice(prefix.length));
        // Parts are immutable once written, so a cached copy of the same size is the same file.
        if (!existsSync(local) || statSync(local).size !== object.Size) {
          mkdirSync(dirname(local), { recursive: true });
          const got = await this.call(() => this.s3.send(new this.sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: object.Key })));
          await pipeline(got.Body as NodeJS.ReadableStream, createWriteStream(`${local}.tmp`));
          renameSync(`${local}.tmp`, local);
        }
        files.push(local);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return files.sort();
  }
}
