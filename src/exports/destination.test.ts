import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import { exportUri, locationUri, parseLocation } from "./destination.js";
import { exportJobConfig } from "./profile-job-config.js";
import { partitionName } from "./run.js";
import { jobTarget, profileLocation } from "./target.js";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");

describe("destinations", () => {
  it("parses --out as S3, a file URL or a path", () => {
    expect(parseLocation("s3://bucket-a/team/exports")).toEqual({ type: "s3", bucket: "bucket-a", prefix: "team/exports/" });
    expect(parseLocation("s3://bucket-a")).toEqual({ type: "s3", bucket: "bucket-a", prefix: "" });
    expect(parseLocation("file:///data/out")).toEqual({ type: "directory", path: "/data/out" });
    expect(parseLocation("out", "/work")).toEqual({ type: "directory", path: "/work/out" });
    expect(() => parseLocation("gs://bucket/x")).toThrow(/unsupported destination/);
    expect(() => parseLocation("s3://Bad_Bucket")).toThrow(/does not name an S3 bucket/);
    expect(locationUri(parseLocation("s3://b-1/p"))).toBe("s3://b-1/p/");
    expect(exportUri(parseLocation("/data/out"), "visits")).toBe("/data/out/visits/");
    expect(exportUri(parseLocation("s3://b-1/p"), "visits")).toBe("s3://b-1/p/visits/");
  });

  it("partitions by export time, Hive-style and safe as a file name everywhere", () => {
    expect(partitionName(new Date("2026-11-26T17:05:09.123Z"))).toBe("exported_at=2026-11-26T17-05-09.123Z");
  });

  it("sends a profile's exports to its object store: the local one beside k3s, or the S3 bucket", () => {
    expect(profileLocation(loadConfig({ cwd: HELLO, profile: "local" }))).toMatchObject({ type: "s3", bucket: "exports", endpoint: "http://127.0.0.1:9000" });
    expect(profileLocation(loadConfig({ cwd: HELLO, profile: "prod" }))).toEqual({ type: "s3", bucket: "hello-prod-exports", prefix: "", region: "eu-central-1" });
  });

  it("gives the CronJob the same exports and the destination as pods reach it, and no secrets", () => {
    const local = exportJobConfig(loadConfig({ cwd: HELLO, profile: "local" }));
    expect(local).toMatchObject({ app: "hello", destination: "s3://exports/", endpoint: "http://object-store.devstack-system.svc.cluster.local:9000", databaseEnv: "DATABASE_URL" });
    expect(local.exports.visits).toMatchObject({ table: "visits", cursor: "updated_at", key: ["id"] });
    const target = jobTarget(local, { DATABASE_URL: "postgresql://u:p@h/db", EXPORT_S3_ACCESS_KEY_ID: "a", EXPORT_S3_SECRET_ACCESS_KEY: "b" });
    expect(target).toMatchObject({ connection: { connectionString: "postgresql://u:p@h/db" }, credentials: { accessKeyId: "a", secretAccessKey: "b" }, location: { bucket: "exports", endpoint: local.endpoint } });
    expect(() => jobTarget(local, {})).toThrow(/DATABASE_URL is not set/);
    expect(jobTarget(exportJobConfig(loadConfig({ cwd: HELLO, profile: "prod" })), { DATABASE_URL: "x" }).credentials).toBeUndefined();
  });
});
