import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { removeLeftOfDeadProcesses } from "../process/alive.js";

const PREFIX = "devstack-export-";

/**
 * Work directories of runs whose process is gone (SIGKILL, a lost node):
 * named after their pid, so the next run on this machine removes them.
 */
export function removeAbandonedWorkDirs(root = tmpdir()): string[] {
  return removeLeftOfDeadProcesses(root, (name) => new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1]);
}

/**
 * A run's own work directory, removed on every way out this process sees:
 * its end, an exception, process.exit (a second Ctrl-C) and SIGTERM (a
 * CronJob's pod being stopped). What SIGKILL leaves, the next run removes.
 */
export function openWorkDir(root = tmpdir()): { dir: string; dispose(): void } {
  removeAbandonedWorkDirs(root);
  const dir = mkdtempSync(join(root, `${PREFIX}${process.pid}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  // Only when nothing else handles SIGTERM: then its default is to die at once, skipping every cleanup.
  const onTerm = () => process.exit(143);
  const ownsTerm = process.listenerCount("SIGTERM") === 0;
  process.on("exit", remove);
  if (ownsTerm) process.on("SIGTERM", onTerm);
  return {
    dir,
    dispose() {
      process.off("exit", remove);
      if (ownsTerm) process.off("SIGTERM", onTerm);
      remove();
    },
  };
}
