import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { devstack } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { readParquet } from "../support/parquet.js";
import { startObjectStore, type TestObjectStore } from "../support/object-store.js";
import { findPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";

const postgres = findPostgres();

// The local stack's object-store stand-in, run on the host: the S3 REST API with SigV4 checks.
const KEYS = { accessKeyId: "AKEXPORTTEST00000001", secretAccessKey: "export-test-secret-key-0123456789abcdefgh" };

describeWithEngine("PostgreSQL", "missing" in postgres ? postgres.missing : undefined, "devstack export to S3", () => {
  let pg: TestPostgres;
  let s3: TestObjectStore | undefined;
  let endpoint: string;
  let work: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    pg = await startPostgres((postgres as { bin: string }).bin);
    const url = pg.database("shop", "shop-test-password");
    pg.sql("SET ROLE shop; CREATE TABLE visits (id bigserial PRIMARY KEY, path text, payload jsonb, updated_at timestamptz NOT NULL); INSERT INTO visits (path, payload, updated_at) SELECT '/p/' || g, jsonb_build_object('n', g), timestamptz '2026-01-01' + g * interval '1 minute' FROM generate_series(1, 2000) g;", "shop");
    work = mkdtempSync(join(tmpdir(), "devstack-export-s3-"));
    s3 = await startObjectStore(work, KEYS);
    endpoint = s3.endpoint;
    await new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: KEYS }).send(new CreateBucketCommand({ Bucket: "exports" }));
    const config = join(work, "job.json");
    writeFileSync(config, JSON.stringify({ app: "shop", profile: "test", databaseEnv: "DATABASE_URL", destination: "s3://exports/team/", endpoint, region: "us-east-1", exports: { visits: { table: "visits", cursor: "updated_at" } } }));
    env = {
      DEVSTACK_EXPORT_CONFIG: config,
      DATABASE_URL: url,
      EXPORT_S3_ACCESS_KEY_ID: KEYS.accessKeyId,
      EXPORT_S3_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      DEVSTACK_HOME: join(work, "home"),
    };
  });

  afterAll(async () => {
    s3?.stop();
    pg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("writes partitioned Parquet and the watermark to the bucket, incrementally, and --query reads them back", async () => {
    const first = devstack(["export", "--json"], { env, cwd: work });
    expect(first.code, first.stderr).toBe(0);
    const done = JSON.parse(first.stdout.trim().split("\n").at(-1) as string);
    expect(done).toMatchObject({ destination: "s3://exports/team/", exports: [{ rows: 2000, files: [expect.stringMatching(/^s3:\/\/exports\/team\/visits\/exported_at=\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\/part-00000\.parquet$/)] }] });

    pg.sql("UPDATE visits SET path = '/changed', updated_at = '2026-06-01' WHERE id <= 3", "shop");
    const second = devstack(["export", "visits", "--json"], { env, cwd: work });
    expect(JSON.parse(second.stdout.trim().split("\n").at(-1) as string).exports[0]).toMatchObject({ rows: 3, mode: "incremental" });

    const client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: KEYS });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: "exports", Prefix: "team/visits/" }));
    const keys = (listed.Contents ?? []).map((o) => o.Key as string).sort();
    expect(keys.filter((k) => k.endsWith(".parquet"))).toHaveLength(2);
    expect(keys).toContain("team/visits/_watermark.json");

    const q = devstack(["export", "--query", "SELECT count(*) AS n, count(DISTINCT id) AS ids, max(payload->>'n') FILTER (WHERE id = 2) AS n2 FROM visits", "--json"], { env, cwd: work });
    expect(q.code, q.stderr).toBe(0);
    // Rows stream as events, then the result counts them.
    const lines = q.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; row?: unknown; rows?: number });
    expect(lines.filter((l) => l.type === "event").map((l) => l.row)).toEqual([{ n: "2003", ids: "2000", n2: "2" }]);
    expect(lines.at(-1)).toMatchObject({ type: "result", rows: 1 });
    const cached = await readParquet(join(work, "home", "cache", "exports", "shop-test", "visits", "**", "*.parquet"), "SELECT count(*) AS n FROM parquet");
    expect(cached).toEqual([{ n: "2003" }]);
  });

  it("says what to do when the object store refuses the keys, and moves no watermark", async () => {
    const client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: KEYS });
    const watermark = async () => (await client.send(new GetObjectCommand({ Bucket: "exports", Key: "team/visits/_watermark.json" }))).Body?.transformToString();
    const before = await watermark();
    pg.sql("UPDATE visits SET updated_at = '2026-07-01' WHERE id = 9", "shop");
    const r = devstack(["export"], { env: { ...env, EXPORT_S3_SECRET_ACCESS_KEY: "wrong" }, cwd: work });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the object store refused access to s3://exports/team/");
    expect(r.stderr).toContain("check the credentials");
    expect(r.stderr).not.toContain("wrong");
    expect(await watermark()).toBe(before);
  });

  it("--full starts over on S3 where a watermark exists, and later runs continue from it", () => {
    for (let i = 0; i < 2; i++) {
      const full = devstack(["export", "--full", "--json"], { env, cwd: work });
      expect(full.code, full.stderr).toBe(0);
      expect(JSON.parse(full.stdout.trim().split("\n").at(-1) as string).exports[0]).toMatchObject({ rows: 2000, mode: "full" });
    }
    const next = devstack(["export", "--json"], { env, cwd: work });
    expect(JSON.parse(next.stdout.trim().split("\n").at(-1) as string).exports[0]).toMatchObject({ rows: 0 });
  });
});
