import { describe, expect, it } from "vitest";
import { historyArgs, rollbackArgs, upgradeArgs } from "../charts/helm-args.js";
import { decodeRecord, encodeRecord, parseHistory, previousRevision, rollbackTarget, runningRecord, upToDate, type ReleaseRecord } from "./release-record.js";

const record: ReleaseRecord = {
  devstack: 1,
  commit: "0123456789abcdef0123456789abcdef01234567",
  dirty: false,
  image: "localhost:5001/hello",
  digest: `sha256:${"a".repeat(64)}`,
  configHash: "feedfacecafebeef",
  chart: "webapp-0.1.0",
  by: "dev@example.com",
  at: "2026-11-26T15:00:00.000Z",
};

describe("release records", () => {
  it("round-trips through a Helm release description", () => {
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
  });

  it("ignores descriptions devstack did not write", () => {
    expect(decodeRecord("Install complete")).toBeUndefined();
    expect(decodeRecord("devstack {broken")).toBeUndefined();
    expect(decodeRecord(undefined)).toBeUndefined();
  });

  it("reads helm history newest first and finds the revision to roll back to", () => {
    const history = JSON.stringify([
      { revision: 1, updated: "t1", status: "superseded", chart: "webapp-0.1.0", app_version: "0.1.0", description: encodeRecord(record) },
      { revision: 2, updated: "t2", status: "deployed", chart: "webapp-0.1.0", app_version: "0.1.0", description: encodeRecord({ ...record, digest: `sha256:${"b".repeat(64)}` }) },
      { revision: 3, updated: "t3", status: "failed", chart: "webapp-0.1.0", app_version: "0.1.0", description: "Upgrade \"hello\" failed: context deadline exceeded" },
    ]);
    const releases = parseHistory(history);
    expect(releases.map((r) => r.revision)).toEqual([3, 2, 1]);
    expect(releases[0]?.record).toBeUndefined();
    expect(releases[0]?.note).toMatch(/failed/);
    expect(releases[1]?.record?.digest).toBe(`sha256:${"b".repeat(64)}`);
    expect(previousRevision(releases, 3)).toBe(2);
    expect(previousRevision(releases, 1)).toBeUndefined();
  });
});

describe("rollbacks", () => {
  const rel = (revision: number, status: string, note?: string) => ({ revision, status, updated: "t", chart: "c", record: note ? undefined : { ...record, digest: `sha256:${String(revision).repeat(64).slice(0, 64)}` }, note });

  it("goes to the revision before what runs now, not back to the one a rollback left", () => {
    // 3 was bad and was rolled back to 2 (revision 4 = "Rollback to 2").
    const history = [rel(4, "deployed", "Rollback to 2"), rel(3, "superseded"), rel(2, "superseded"), rel(1, "superseded")];
    expect(rollbackTarget(history)).toBe(1);
    expect(runningRecord(history)?.record?.digest).toBe(rel(2, "x").record?.digest);
  });

  it("after a plain deploy, goes to the previous release", () => {
    expect(rollbackTarget([rel(3, "deployed"), rel(2, "superseded"), rel(1, "superseded")])).toBe(2);
    expect(rollbackTarget([rel(1, "deployed")])).toBeUndefined();
  });
});

describe("skipping an unchanged deploy", () => {
  const deployed = (r: Partial<ReleaseRecord>, status = "deployed") => ({ revision: 4, status, updated: "t", chart: "webapp-0.1.0", record: { ...record, ...r }, note: undefined });

  it("skips when the deployed release has the same values and chart", () => {
    expect(upToDate([deployed({})], { configHash: record.configHash, chart: record.chart })?.revision).toBe(4);
  });

  it("deploys when values (digest, secrets version, config) or the chart changed, or nothing is deployed", () => {
    expect(upToDate([deployed({})], { configHash: "0000000000000000", chart: record.chart })).toBeUndefined();
    expect(upToDate([deployed({})], { configHash: record.configHash, chart: "webapp-0.2.0" })).toBeUndefined();
    expect(upToDate([deployed({}, "failed")], { configHash: record.configHash, chart: record.chart })).toBeUndefined();
    expect(upToDate([], { configHash: record.configHash, chart: record.chart })).toBeUndefined();
  });
});

describe("helm command lines", () => {
  it("upgrades atomically, waits for jobs and records the release", () => {
    expect(upgradeArgs({ release: "hello", chart: "/c/webapp", namespace: "hello", valuesFile: "/tmp/v.json", kubeconfig: "/k", timeout: "10m", description: "devstack {}" })).toEqual([
      "upgrade", "--install", "hello", "/c/webapp", "--namespace", "hello", "--create-namespace", "--kubeconfig", "/k",
      "--values", "/tmp/v.json", "--atomic", "--wait", "--wait-for-jobs", "--timeout", "10m", "--description", "devstack {}",
    ]);
  });

  it("names the kube context only when the profile has one", () => {
    expect(rollbackArgs({ release: "hello", namespace: "hello", kubeconfig: "/k", context: "prod", revision: 4, timeout: "5m" })).toEqual([
      "rollback", "hello", "4", "--namespace", "hello", "--kubeconfig", "/k", "--kube-context", "prod", "--wait", "--timeout", "5m",
    ]);
    expect(historyArgs({ release: "hello", namespace: "hello", kubeconfig: "/k" })).not.toContain("--kube-context");
  });
});
