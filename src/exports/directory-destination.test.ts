import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DirectoryDestination } from "./directory-destination.js";

const root = mkdtempSync(join(tmpdir(), "devstack-dir-destination-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;
/** A lock file as another run (or an earlier devstack, without a token) left it. */
const plant = (name: string, owner: Record<string, unknown>, ageSeconds = 0) => {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "_export.lock");
  writeFileSync(file, JSON.stringify({ since: "2026-12-01T00:00:00.000Z", ...owner }));
  const then = new Date(Date.now() - ageSeconds * 1000);
  utimesSync(file, then, then);
  return dir;
};

describe("DirectoryDestination.lock", () => {
  it("fails a second run at once, naming the holder, and is free again once released", async () => {
    const destination = new DirectoryDestination(root);
    const release = await destination.lock("visits");
    await expect(destination.lock("visits")).rejects.toThrow(new RegExp(`another export of visits is writing to .*visits \\(pid ${process.pid} on ${hostname()}, since `));
    await release();
    await (await destination.lock("visits"))();
    expect(readdirSync(join(root, "visits"))).toEqual([]);
  });

  it("takes over the lock of a run that is gone, an earlier version's too", async () => {
    const destination = new DirectoryDestination(root);
    plant("gone", { pid: deadPid(), host: hostname(), token: "123-abc" });
    await (await destination.lock("gone"))();
    plant("legacy", { pid: deadPid(), host: hostname() });
    await (await destination.lock("legacy"))();
  });

  it("keeps a live run's lock, an earlier version's too", async () => {
    const destination = new DirectoryDestination(root);
    plant("live", { pid: process.ppid, host: hostname() });
    await expect(destination.lock("live")).rejects.toThrow(`(pid ${process.ppid} on ${hostname()}`);
  });

  it("takes over another machine's lock once its holder stops keeping it alive (a pod killed on a shared volume)", async () => {
    const destination = new DirectoryDestination(root);
    plant("foreign-fresh", { pid: 1, host: "export-pod-1", token: "1-a" });
    await expect(destination.lock("foreign-fresh")).rejects.toThrow("(pid 1 on export-pod-1");
    plant("foreign-stale", { pid: 1, host: "export-pod-1", token: "1-a" }, 120);
    await (await destination.lock("foreign-stale"))();
  });
});
