import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

/** The process's start time as the kernel counts it (Linux only), to tell a reused pid from the original. */
export function processStart(pid: number): string | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22, counted after the command name, which may itself hold spaces or parentheses.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** Whether the process still runs; a pid taken over by another program counts as gone. */
export function pidAlive(pid: number, started?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (started === undefined) return true;
  const now = processStart(pid);
  return now === undefined || now === started;
}

/**
 * Removes the entries of `dir` that a process now gone left: `pidOf` reads
 * the pid from a name (undefined: not such an entry). Entries younger than
 * minAgeMs stay, for directories shared with machines whose pids these are
 * not. Returns the names removed.
 */
export function removeLeftOfDeadProcesses(dir: string, pidOf: (name: string) => string | undefined, minAgeMs = 0): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = pidOf(name);
    if (pid === undefined || Number(pid) === process.pid || pidAlive(Number(pid))) continue;
    try {
      if (minAgeMs > 0 && Date.now() - statSync(join(dir, name)).mtimeMs < minAgeMs) continue;
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Gone already: another run swept it.
    }
  }
  return removed;
}
