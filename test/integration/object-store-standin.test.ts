import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ensureBucket, objectStoreClient } from "../../src/stack/standins/object-store.js";
import { describeWithEngine } from "../support/engines.js";
import { OBJECT_STORE_ENTRYPOINT as ENTRYPOINT, objectStoreMissing, startObjectStore, type TestObjectStore } from "../support/object-store.js";

// The object-store stand-in's entrypoint, run on the host against s3rver from
// devDependencies: the RustFS contract the Docker tier relies on, checked
// without Docker.
const ACCESS = "AKSTANDINTEST0000001";
const SECRET = "standin-secret-key-0123456789abcdefghijk";

type Failure = Error & { $metadata?: { httpStatusCode?: number } };
const failure = (p: Promise<unknown>) => p.then(() => undefined, (error: Failure) => ({ name: error.name, status: error.$metadata?.httpStatusCode }));

describeWithEngine("s3rver", objectStoreMissing, "the object-store stand-in honours the rustfs/rustfs contract", () => {
  const dir = mkdtempSync(join(tmpdir(), "devstack-s3-standin-"));
  let store: TestObjectStore | undefined;
  let endpoint: string;
  let client: S3Client;
  const clients: S3Client[] = [];
  const clientWith = async (accessKeyId: string, secretAccessKey: string) => {
    const c = await objectStoreClient(endpoint, { accessKeyId, secretAccessKey });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    store = await startObjectStore(dir, { accessKeyId: ACCESS, secretAccessKey: SECRET });
    endpoint = store.endpoint;
    client = await clientWith(ACCESS, SECRET);
  });

  afterAll(() => {
    for (const c of clients) c.destroy();
    store?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers /health without keys and refuses unsigned S3 requests", async () => {
    expect((await fetch(`${endpoint}/health`)).status).toBe(200);
    const anonymous = await fetch(`${endpoint}/`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain("<Code>AccessDenied</Code>");
  });

  it("creates a bucket once and keeps string, stream and multipart bodies byte for byte", async () => {
    expect(await ensureBucket(client, "exports")).toBe(true);
    expect(await ensureBucket(client, "exports")).toBe(false);
    await client.send(new PutObjectCommand({ Bucket: "exports", Key: "a dir/ü+x.txt", Body: "plain" }));
    // A stream body goes out aws-chunked: the store must keep the payload, not the framing.
    await client.send(new PutObjectCommand({ Bucket: "exports", Key: "stream.bin", Body: Readable.from([Buffer.from("hello "), Buffer.from("stream")]), ContentLength: 12 }));
    const big = Buffer.alloc(6 * 1024 * 1024 + 17, 0x5a);
    await new Upload({ client, params: { Bucket: "exports", Key: "big.parquet", Body: Readable.from([big]) }, partSize: 5 * 1024 * 1024 }).done();
    const text = async (key: string) => (await client.send(new GetObjectCommand({ Bucket: "exports", Key: key }))).Body?.transformToString();
    expect(await text("a dir/ü+x.txt")).toBe("plain");
    expect(await text("stream.bin")).toBe("hello stream");
    const got = await client.send(new GetObjectCommand({ Bucket: "exports", Key: "big.parquet" }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(big)).toBe(true);
    expect((await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(["exports"]);
  });

  it("refuses a wrong secret key, an unknown access key and s3rver's built-in key, with 403", async () => {
    expect(await failure((await clientWith(ACCESS, `${SECRET.slice(0, -1)}X`)).send(new ListBucketsCommand({})))).toEqual({ name: "SignatureDoesNotMatch", status: 403 });
    expect(await failure((await clientWith(ACCESS, "wrong")).send(new PutObjectCommand({ Bucket: "exports", Key: "x", Body: "no" })))).toEqual({ name: "SignatureDoesNotMatch", status: 403 });
    expect(await failure((await clientWith("AKUNKNOWN", SECRET)).send(new ListBucketsCommand({})))).toEqual({ name: "InvalidAccessKeyId", status: 403 });
    expect(await failure((await clientWith("S3RVER", "S3RVER")).send(new CreateBucketCommand({ Bucket: "sneaky" })))).toEqual({ name: "InvalidAccessKeyId", status: 403 });
  });

  it("serves a presigned URL until it expires, and not with a changed signature", async () => {
    const signer = new SignatureV4({ service: "s3", region: "us-east-1", credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET }, sha256: client.config.sha256, uriEscapePath: false });
    const { port } = new URL(endpoint);
    const url = async (signingDate = new Date()) => {
      // As S3's presigner: the payload stays unsigned.
      const request = { method: "GET", protocol: "http:", hostname: "127.0.0.1", port: Number(port), path: "/exports/a%20dir/%C3%BC%2Bx.txt", query: {}, headers: { host: `127.0.0.1:${port}`, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } };
      const signed = await signer.presign(request, { expiresIn: 60, signingDate });
      return `${endpoint}${signed.path}?${new URLSearchParams(signed.query as Record<string, string>).toString()}`;
    };
    const fresh = await url();
    const ok = await fetch(fresh);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("plain");
    expect((await fetch(fresh.replace(/X-Amz-Signature=[0-9a-f]/, "X-Amz-Signature=g"))).status).toBe(403);
    const old = await fetch(await url(new Date(Date.now() - 5 * 60_000)));
    expect(old.status).toBe(403);
    expect(await old.text()).toContain("Request has expired");
  });

  it("is path-style under any host name, as pods reach it (object-store.devstack-system)", async () => {
    const viaService = await clientWith(ACCESS, SECRET);
    viaService.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers.host = "object-store.devstack-system:9000";
        return next(args);
      },
      { step: "build", priority: "low" },
    );
    const got = await viaService.send(new GetObjectCommand({ Bucket: "exports", Key: "stream.bin" }));
    expect(await got.Body?.transformToString()).toBe("hello stream");
  });

  it("stops when a named key file is missing or empty, as RustFS does", () => {
    writeFileSync(join(dir, "empty"), "");
    const start = (env: Record<string, string>) => spawnSync(process.execPath, [ENTRYPOINT, join(dir, "other")], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 10_000 });
    const missing = start({ RUSTFS_ACCESS_KEY_FILE: join(dir, "nope"), RUSTFS_SECRET_KEY: "x" });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("cannot read RUSTFS_ACCESS_KEY_FILE");
    const empty = start({ RUSTFS_ACCESS_KEY: "x", RUSTFS_SECRET_KEY_FILE: join(dir, "empty") });
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain("is empty");
  });
});
