import { readFileSync } from "node:fs";

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
