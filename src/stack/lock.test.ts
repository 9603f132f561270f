import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { processStart } from "../process/alive.js";
import { describe, expect, it } from "vitest";
import { tempHome } from "../../test/support/temp.js";
import { DevstackError } from "../errors.js";
import { stackLockPath, withStackLock } from "./lock.js";

tempHome("devstack-stack-lock-");

/** A live process (sleep) recorded as the lock's holder, in the file format a run writes. */
async function holder(stack: string): Promise<{ pid: number; kill: () => void }> {
  const child = spawn("sleep", ["60"]);
  await new Promise((r) => child.once("spawn", r));
  const pid = child.pid as number;
  const started = processStart(pid);
  mkdirSync(dirname(stackLockPath(stack)), { recursive: true });
  writeFileSync(stackLockPath(stack), JSON.stringify({ pid, host: hostname(), token: `${pid}-abc`, ...(started ? { started } : {}), since: new Date().toISOString() }));
  return { pid, kill: () => child.kill("SIGKILL") };
}

describe("withStackLock", () => {
  it("is re-entrant within one process and removes its file when done", async () => {
    const order: string[] = [];
    await withStackLock("reentrant", { command: "up", say: () => undefined }, async () => {
      expect(existsSync(stackLockPath("reentrant"))).toBe(true);
      await withStackLock("reentrant", { command: "deploy", say: () => undefined }, async () => {
        order.push("inner");
      });
      order.push("outer");
    });
    expect(order).toEqual(["inner", "outer"]);
    expect(existsSync(stackLockPath("reentrant"))).toBe(false);
  });

  it("serialises two runs in one process", async () => {
    const events: string[] = [];
    const lines: string[] = [];
    // Separate module state would be two processes; here the second must not enter while the first holds it.
    const first = withStackLock("serial", { command: "up", say: () => undefined }, async () => {
      events.push("first in");
      await new Promise((r) => setTimeout(r, 200));
      events.push("first out");
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse(readFileSync(stackLockPath("serial"), "utf8")).pid).toBe(process.pid);
    await first;
    await withStackLock("serial", { command: "up", say: (l) => lines.push(l) }, async () => {
      events.push("second");
    });
    expect(events).toEqual(["first in", "first out", "second"]);
  });

  it("with wait: false fails at once naming the holder, exit code 1 and a fix; waits otherwise, saying who holds it; takes over from a killed holder", async () => {
    const held = await holder("contended");
    try {
      const started = Date.now();
      const error = await withStackLock("contended", { command: "up", wait: false, say: () => undefined }, () => Promise.resolve()).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error).toBeInstanceOf(DevstackError);
      const e = error as DevstackError;
      expect(e.exitCode).toBe(1);
      expect(e.message).toContain(`process ${held.pid}`);
      expect(e.fix).toContain(`kill ${held.pid}`);

      const lines: string[] = [];
      let entered = false;
      const waiting = withStackLock("contended", { command: "up", say: (l) => lines.push(l) }, async () => {
        entered = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(entered).toBe(false);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`waiting for process ${held.pid}`);
      held.kill();
      await waiting;
      expect(entered).toBe(true);
    } finally {
      held.kill();
    }
  }, 20_000);
});
