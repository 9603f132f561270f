import { readFile } from "node:fs/promises";

/** Editors, chokidar and k3s all hold watches; below these, file watching silently stops. */
export const RECOMMENDED_INOTIFY = { maxUserWatches: 524288, maxUserInstances: 512 } as const;

export interface InotifyLimits {
  maxUserWatches: number;
  maxUserInstances: number;
}

async function readNumber(path: string): Promise<number | undefined> {
  try {
    const value = Number((await readFile(path, "utf8")).trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** undefined where the OS has no inotify (macOS uses FSEvents). */
export async function readInotifyLimits(): Promise<InotifyLimits | undefined> {
  if (process.platform !== "linux") return undefined;
  const maxUserWatches = await readNumber("/proc/sys/fs/inotify/max_user_watches");
  const maxUserInstances = await readNumber("/proc/sys/fs/inotify/max_user_instances");
  if (maxUserWatches === undefined || maxUserInstances === undefined) return undefined;
  return { maxUserWatches, maxUserInstances };
}

export function inotifyFix(): string {
  const { maxUserWatches: w, maxUserInstances: i } = RECOMMENDED_INOTIFY;
  return [
    `sudo sysctl -w fs.inotify.max_user_watches=${w} fs.inotify.max_user_instances=${i}`,
    `and to keep it after a reboot: printf 'fs.inotify.max_user_watches=${w}\\nfs.inotify.max_user_instances=${i}\\n' | sudo tee /etc/sysctl.d/60-devstack.conf`,
  ].join("\n");
}
