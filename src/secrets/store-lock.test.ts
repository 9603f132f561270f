import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pidAlive } from "../process/alive.js";
import { setLockWaitNotice } from "../process/lock-notice.js";
import { acquireLock, LockLostError, withLock } from "./store-lock.js";

const dir = mkdtempSync(join(tmpdir(), "devstack-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;
const owner = (pid: number, host = hostname(), token = `${pid}-0123456789ab`) => JSON.stringify({ pid, host, token, since: new Date().toISOString() });
const ago = (path: string, ms: number) => utimesSync(path, new Date(Date.now() - ms), new Date(Date.now() - ms));

describe("the store lock", () => {
  it("lets one holder at a time through, however many wait", async () => {
    const path = join(dir, "serial.lock");
    let active = 0;
    let most = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withLock(path, "test", async () => {
          active++;
          most = Math.max(most, active);
          await new Promise((r) => setTimeout(r, 2));
          active--;
          done++;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(done).toBe(20);
    expect(existsSync(path)).toBe(false);
  });

  it("takes over the lock of a dead process at once", async () => {
    const path = join(dir, "dead.lock");
    writeFileSync(path, owner(deadPid()));
    const started = performance.now();
    const lock = await acquireLock(path, { what: "test" });
    expect(performance.now() - started).toBeLessThan(500);
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("never takes a live holder's lock, however old it looks, and names the holder", async () => {
    const path = join(dir, "live.lock");
    const holder = spawn("sleep", ["30"]);
    await new Promise((r) => holder.once("spawn", r));
    writeFileSync(path, owner(holder.pid as number));
    ago(path, 3_600_000);
    const error = await acquireLock(path, { what: "the test store", timeoutMs: 800 }).then(
      () => new Error("expected to wait"),
      (e: unknown) => e as Error & { fix?: string },
    );
    expect(error.message).toMatch(new RegExp(`the test store is locked by process ${holder.pid} on `));
    expect((error as { fix?: string }).fix).toContain(`kill ${holder.pid}`);
    holder.kill("SIGKILL");
    await new Promise((r) => holder.once("exit", r));
    const started = performance.now();
    (await acquireLock(path, { what: "test" })).release();
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("says, once and after a moment, who it is waiting for", async () => {
    const path = join(dir, "told.lock");
    const holder = spawn("sleep", ["30"]);
    await new Promise((r) => holder.once("spawn", r));
    writeFileSync(path, owner(holder.pid as number));
    const said: string[] = [];
    setLockWaitNotice((text) => said.push(text));
    try {
      await acquireLock(path, { what: "the test store", timeoutMs: 1500 }).catch(() => undefined);
    } finally {
      setLockWaitNotice(undefined);
      holder.kill("SIGKILL");
    }
    expect(said).toEqual([expect.stringMatching(new RegExp(`^waiting for the test store: held by process ${holder.pid} on `))]);
  });

  it("treats a holder on another host as gone only when it stopped keeping its lock fresh", async () => {
    const path = join(dir, "foreign.lock");
    writeFileSync(path, owner(1, "another-host"));
    await expect(acquireLock(path, { what: "test", timeoutMs: 300 })).rejects.toThrow(/locked by process 1 on another-host/);
    ago(path, 60_000);
    (await acquireLock(path, { what: "test" })).release();
  });

  it("clears a stale lock directory of older devstack versions (proper-lockfile), but waits for a fresh one", async () => {
    const path = join(dir, "legacy.lock");
    mkdirSync(path);
    await expect(acquireLock(path, { what: "test", timeoutMs: 300 })).rejects.toThrow(/locked by another run/);
    ago(path, 60_000);
    (await acquireLock(path, { what: "test" })).release();
  });

  it("many runs breaking the same dead lock still let only one through at a time", async () => {
    const path = join(dir, "breakers.lock");
    for (let round = 0; round < 20; round++) {
      writeFileSync(path, owner(deadPid()));
      let active = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 8 }, () =>
          withLock(path, "test", async () => {
            active++;
            most = Math.max(most, active);
            await new Promise((r) => setImmediate(r));
            active--;
          }),
        ),
      );
      expect(most).toBe(1);
    }
    // 160 lock takeovers through the file system: a loaded CI machine needs more than the default 5 s.
  }, 60_000);

  it("knows when it lost its lock, and releasing never throws nor removes another's lock", async () => {
    const path = join(dir, "lost.lock");
    const lock = await acquireLock(path, { what: "test" });
    lock.verify();
    rmSync(path);
    writeFileSync(path, owner(process.pid, hostname(), "someone-else"));
    expect(() => lock.verify()).toThrow(LockLostError);
    expect(() => lock.release()).not.toThrow();
    expect(existsSync(path)).toBe(true);
  });

  it("tells a live process from a dead one", () => {
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(deadPid())).toBe(false);
  });
});
