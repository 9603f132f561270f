import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DevstackError } from "../errors.js";
import { acquireLock, type LockHolder } from "../process/lock.js";
import { stackStateDir } from "../project/paths.js";

/** The file in a stack's state directory that one run at a time holds while it changes the stack. */
export const STACK_LOCK_FILE = "stack.lock";

export function stackLockPath(stack: string): string {
  return join(stackStateDir(stack), STACK_LOCK_FILE);
}

export interface StackLockOptions {
  /** Wait for a live holder (the default, up to waitMs), or fail at once. */
  wait?: boolean;
  /** How long to wait for a live holder; default 30 minutes (a first `up` pulls images and starts k3s). */
  waitMs?: number;
  /** The command, for the message: "up", "down", "deploy". */
  command: string;
  /** Where the waiting line goes. */
  say: (line: string) => void;
}

const holders = new Map<string, number>();

function describeHolder(holder: LockHolder | undefined): string {
  return holder ? `process ${holder.pid}${holder.host ? ` on ${holder.host}` : ""} (since ${holder.since})` : "another devstack run";
}

/**
 * Runs `work` holding the stack's lock: one run at a time changes a
 * project's local stack (up, down, test, deploy to it, the watch loop's
 * redeploys). A second run waits, saying who holds it; with wait: false it
 * fails at once (exit code 1) with a fix. A lock whose process is gone is
 * taken over at once. Re-entrant within one process: `up` deploys while
 * holding it.
 */
export async function withStackLock<T>(stack: string, options: StackLockOptions, work: () => Promise<T>): Promise<T> {
  const held = holders.get(stack) ?? 0;
  if (held > 0) {
    holders.set(stack, held + 1);
    try {
      return await work();
    } finally {
      holders.set(stack, (holders.get(stack) ?? 1) - 1);
    }
  }
  const path = stackLockPath(stack);
  mkdirSync(stackStateDir(stack), { recursive: true });
  const wait = options.wait ?? true;
  const waitMs = options.waitMs ?? 30 * 60_000;
  const what = `the local stack ${stack}`;
  const lock = await acquireLock(path, {
    what,
    timeoutMs: wait ? waitMs : 0,
    onWait: (holder) => {
      if (wait) options.say(`waiting for ${describeHolder(holder)}, which is changing ${what} (\`devstack ${options.command} --no-wait\` fails instead of waiting)`);
    },
    busy: (holder, waited) =>
      new DevstackError(`${what} is being changed by ${describeHolder(holder)}${wait ? `: it did not finish within ${Math.round(waited / 1000)} s` : ""}`, {
        kind: "conflict",
        fix: `${holder ? `wait for it to finish (or stop it: \`kill ${holder.pid}\`)` : `wait for it to finish (or remove ${path} if no devstack runs)`}, then run \`devstack ${options.command}\` again${wait ? "" : "; without --no-wait it waits its turn"}`,
      }),
  });
  holders.set(stack, 1);
  try {
    return await work();
  } finally {
    holders.delete(stack);
    lock.release();
  }
}
