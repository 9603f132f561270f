import { randomBytes } from "node:crypto";
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { removeLeftOfDeadProcesses } from "../process/alive.js";

/**
 * Temporary files of writeDurable left by a process that died between
 * creating and renaming them (SIGKILL): named after its pid, so the next
 * write of the same file removes them. Young ones are left alone, in case
 * the directory is shared with another machine whose pids these are not;
 * a caller holding a lock on the file passes 0.
 */
export function removeStaleTemps(path: string, minAgeMs = 10_000): string[] {
  const base = basename(path);
  const pidOf = (name: string) => (name.startsWith(`${base}.`) ? /^\.(?:prev\.)?(\d+)(?:\.[0-9a-f]+)?\.tmp$/.exec(name.slice(base.length))?.[1] : undefined);
  return removeLeftOfDeadProcesses(dirname(path), pidOf, minAgeMs);
}

/**
 * Test hook: a process that names a point here in DEVSTACK_FAULT is killed
 * there (SIGKILL, no cleanup), which is how the tests prove a crash at that
 * point loses nothing.
 */
export function faultPoint(name: string): void {
  if (process.env.DEVSTACK_FAULT === name) process.kill(process.pid, "SIGKILL");
}

/**
 * Test hook: a process that names a point here in DEVSTACK_PAUSE waits there
 * for DEVSTACK_PAUSE_MS (default 2000), so a test can act at that moment.
 */
export async function pausePoint(name: string): Promise<void> {
  if (process.env.DEVSTACK_PAUSE !== name) return;
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.DEVSTACK_PAUSE_MS) || 2000));
}

/** fsync of a file or a directory (a directory's fsync makes a rename in it durable). */
function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsyncPath off the main thread, for callers that have sockets to keep reading meanwhile. */
export async function fsyncPathAsync(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file so that a crash or a full disk at any moment leaves a
 * readable file: the current version is first copied to PATH.prev, the new
 * content goes to a temporary file that is fsynced, then renamed over PATH.
 */
export function writeDurable(path: string, data: Uint8Array | string, options: { mode?: number; keepPrevious?: boolean } = {}): void {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  removeStaleTemps(path);
  if (options.keepPrevious && existsSync(path)) {
    const prevTemp = `${path}.prev.${process.pid}.tmp`;
    copyFileSync(path, prevTemp);
    fsyncPath(prevTemp);
    renameSync(prevTemp, `${path}.prev`);
  }
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", mode);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  faultPoint("durable:before-rename");
  renameSync(temp, path);
  fsyncPath(dir);
}
