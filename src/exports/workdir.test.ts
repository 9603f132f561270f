import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openWorkDir, removeAbandonedWorkDirs } from "./workdir.js";

const root = mkdtempSync(join(tmpdir(), "devstack-workdir-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;

describe("export work directories", () => {
  it("removes those of runs whose process is gone, and nothing else", () => {
    const dead = `devstack-export-${deadPid()}-abc123`;
    const mine = `devstack-export-${process.pid}-def456`;
    for (const name of [dead, mine, "devstack-export-notapid", "other"]) mkdirSync(join(root, name, "duckdb"), { recursive: true });
    expect(removeAbandonedWorkDirs(root)).toEqual([dead]);
    expect(readdirSync(root).sort()).toEqual([mine, "devstack-export-notapid", "other"].sort());
  });

  it("removes its own on dispose, and on process.exit, without keeping listeners", () => {
    const before = [process.listenerCount("exit"), process.listenerCount("SIGTERM")];
    const work = openWorkDir(root);
    expect(existsSync(work.dir)).toBe(true);
    expect(process.listenerCount("exit")).toBe((before[0] as number) + 1);
    work.dispose();
    expect(existsSync(work.dir)).toBe(false);
    expect([process.listenerCount("exit"), process.listenerCount("SIGTERM")]).toEqual(before);

  });
});
