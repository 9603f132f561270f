import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname } from "node:path";
import { DevstackError } from "../errors.js";
import { pidAlive, processStart, removeLeftOfDeadProcesses } from "./alive.js";
import { lockWaitNotice } from "./lock-notice.js";

// A lock is a file that appears whole (a hard link to a finished temporary
// file), naming the process that holds it. A holder on this machine holds it
// exactly as long as that process lives: a lock of a dead process is taken
// over at once, and a live holder's lock is never taken, however long it
// works. Holders elsewhere (a shared home directory) keep it fresh by
// touching it; only such a lock goes stale by age.

interface Owner {
  pid: number;
  host: string;
  token: string;
  /** The holder's start time as the kernel counts it (Linux), so a reused pid is not mistaken for the holder. */
  started?: string;
  since: string;
}

const KEEPALIVE_MS = 2_000;
/** A holder on another host that has not touched its lock for this long is gone. */
const FOREIGN_STALE_MS = 30_000;
/** proper-lockfile's directories (older devstack versions) are refreshed every 5 s. */
const LEGACY_STALE_MS = 10_000;
/** A lock file without a readable owner (a damaged disk) is given this long before it is cleared. */
const UNREADABLE_STALE_MS = 5_000;

/** A run that found its lock taken from it; the store retries from a fresh read. */
export class LockLostError extends Error {
  constructor(path: string) {
    super(`lost the lock ${path}`);
    this.name = "LockLostError";
  }
}

/** Who holds a lock, as a waiting run reports it. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export interface LockOptions {
  /** What the lock guards, for messages: "the secret store of shop", "the local stack of shop". */
  what: string;
  /** How long to wait for a live holder; 0 fails at once. Default 60 s. */
  timeoutMs?: number;
  /** Called once, when the lock is first found held by a live run (not one that is gone). */
  onWait?: (holder: LockHolder | undefined) => void;
  /** The error when the wait is over (or at once with timeoutMs 0); default a DevstackError naming the holder. */
  busy?: (holder: LockHolder | undefined, waitedMs: number) => Error;
}

/** How long a wait stays silent: a lock held for a moment is not worth a line. */
const QUIET_WAIT_MS = 1000;

export interface HeldLock {
  readonly path: string;
  /** Throws LockLostError unless this run still holds the lock: called right before a commit. */
  verify(): void;
  release(): void;
}

function readOwner(path: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, "utf8")) as Owner;
    if (typeof owner.pid !== "number" || typeof owner.host !== "string") return undefined;
    // Export locks of earlier versions hold no token: their pid and time stand for one.
    return typeof owner.token === "string" ? owner : { ...owner, token: `${owner.pid}-${owner.since}` };
  } catch {
    return undefined;
  }
}

type Verdict = { kind: "gone" } | { kind: "held"; owner?: Owner } | { kind: "stale"; token?: string; legacy?: boolean };

function inspect(path: string): Verdict {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return { kind: "gone" };
  }
  const age = Date.now() - stat.mtimeMs;
  if (stat.isDirectory()) return age > LEGACY_STALE_MS ? { kind: "stale", legacy: true } : { kind: "held" };
  const owner = readOwner(path);
  if (!owner) return age > UNREADABLE_STALE_MS ? { kind: "stale" } : { kind: "held" };
  if (owner.host === hostname()) return pidAlive(owner.pid, owner.started) ? { kind: "held", owner } : { kind: "stale", token: owner.token };
  return age > FOREIGN_STALE_MS ? { kind: "stale", token: owner.token } : { kind: "held", owner };
}

/**
 * Clears a stale lock. It is first renamed aside, so of several runs that
 * judged it stale only one moves it; a run that finds it moved a fresh lock
 * instead (taken in between) puts that one back.
 */
function clearStale(path: string, verdict: Extract<Verdict, { kind: "stale" }>, token: string): void {
  if (verdict.legacy) {
    try {
      rmdirSync(path);
    } catch {
      // Taken back or removed by another run: the next attempt looks again.
    }
    return;
  }
  const aside = `${path}.${token}.broken`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  const moved = readOwner(aside);
  if (moved && moved.token !== verdict.token) {
    try {
      linkSync(aside, path);
    } catch {
      // A third run took the lock meanwhile; the holder we moved finds out in verify() and retries.
    }
  }
  rmSync(aside, { force: true });
}

/**
 * Removes the files next to `path` named `<basename>.<suffix>` whose suffix
 * matches `pattern` and names (in its first group) a process that is gone:
 * what killed runs left behind. Without a lock: only dead runs' files go.
 */
export function sweepDeadTemps(path: string, pattern: RegExp): void {
  const prefix = `${basename(path)}.`;
  removeLeftOfDeadProcesses(dirname(path), (name) => (name.startsWith(prefix) ? pattern.exec(name.slice(prefix.length))?.[1] : undefined));
}

/** Leftovers of killed runs: their temporary owner files and moved-aside locks. */
function sweep(path: string): void {
  sweepDeadTemps(path, /^(\d+)-[0-9a-f]+\.(tmp|broken)$/);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the lock at PATH, waiting while a live run holds it (up to
 * timeoutMs). File-system errors (a read-only or full disk) are thrown as
 * they are, for the caller to name.
 */
export async function acquireLock(path: string, options: LockOptions): Promise<HeldLock> {
  const token = `${process.pid}-${randomBytes(6).toString("hex")}`;
  const started = processStart(process.pid);
  const owner: Owner = { pid: process.pid, host: hostname(), token, ...(started ? { started } : {}), since: new Date().toISOString() };
  const temp = `${path}.${token}.tmp`;
  sweep(path);
  try {
    writeFileSync(temp, JSON.stringify(owner), { mode: 0o600 });
  } catch (error) {
    // A full disk creates the file and then fails to fill it.
    rmSync(temp, { force: true });
    throw error;
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  const start = Date.now();
  const deadline = start + timeoutMs;
  let delay = 10;
  let told = false;
  try {
    for (;;) {
      try {
        linkSync(temp, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const verdict = inspect(path);
      if (verdict.kind === "gone") continue;
      if (verdict.kind === "stale") {
        clearStale(path, verdict, token);
        continue;
      }
      const holder = verdict.owner ? { pid: verdict.owner.pid, host: verdict.owner.host, since: verdict.owner.since } : undefined;
      if (Date.now() >= deadline) {
        if (options.busy) throw options.busy(holder, Date.now() - start);
        const by = verdict.owner ? `process ${verdict.owner.pid} on ${verdict.owner.host} (since ${verdict.owner.since})` : "another run";
        throw new DevstackError(`${options.what} is locked by ${by}: it did not finish within ${Math.round(timeoutMs / 1000)} s`, {
          fix: verdict.owner ? `wait for it to finish, or stop it (\`kill ${verdict.owner.pid}\`), then run the command again` : `wait for it to finish, or remove ${path} if no devstack runs`,
        });
      }
      if (!told && options.onWait) {
        told = true;
        options.onWait(holder);
      } else if (!told && lockWaitNotice() && Date.now() - start >= QUIET_WAIT_MS) {
        told = true;
        lockWaitNotice()?.(`waiting for ${options.what}: ${holder ? `held by process ${holder.pid} on ${holder.host} since ${holder.since}` : "held by another run"}`);
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 200);
    }
  } finally {
    rmSync(temp, { force: true });
  }

  const timer = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // verify() reports a lost lock where it matters.
    }
  }, KEEPALIVE_MS);
  timer.unref();
  const mine = () => readOwner(path)?.token === token;
  return {
    path,
    verify: () => {
      if (!mine()) throw new LockLostError(path);
    },
    release: () => {
      clearInterval(timer);
      // Never throws: a lock that is no longer ours (it cannot be, on one machine) is left to its holder.
      if (!mine()) return;
      rmSync(path, { force: true });
    },
  };
}

export async function withLock<T>(path: string, what: string | LockOptions, work: (lock: HeldLock) => Promise<T>, timeoutMs?: number): Promise<T> {
  const options = typeof what === "string" ? { what } : what;
  const lock = await acquireLock(path, { ...options, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  try {
    return await work(lock);
  } finally {
    lock.release();
  }
}
