import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { copyFile, mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { DevstackError } from "../errors.js";
import { acquireLock } from "../process/lock.js";
import { fsyncPathAsync, removeStaleTemps, writeDurable } from "../fs/durable.js";
import { WATERMARK_FILE, type Destination } from "./destination.js";
import type { Watermark } from "./window.js";

/**
 * What runs killed mid-write left in an export's directory: parts under a
 * dot-name never renamed, the watermark's temporary files. Called holding the
 * export's lock, so no live run is writing them.
 */
function removeLeftovers(dir: string): void {
  removeStaleTemps(join(dir, WATERMARK_FILE), 0);
  for (const partition of readdirSync(dir, { withFileTypes: true })) {
    if (!partition.isDirectory()) continue;
    const path = join(dir, partition.name);
    for (const name of readdirSync(path)) if (name.startsWith(".") && name.endsWith(".tmp")) rmSync(join(path, name), { force: true });
    if (readdirSync(path).length === 0) rmSync(path, { recursive: true, force: true });
  }
}

/** A local directory: parts are fsynced before they get their final name, the watermark is written atomically. */
export class DirectoryDestination implements Destination {
  readonly uri: string;

  constructor(private readonly root: string) {
    this.uri = root;
  }

  /**
   * The export's own lock, as every lock of devstack's (process/lock.ts): a
   * second run fails at once naming the holder; one whose process is gone on
   * this machine, or a foreign one not kept alive (a pod killed on a shared
   * volume), is taken over.
   */
  async lock(exportName: string): Promise<() => Promise<void>> {
    const dir = join(this.root, exportName);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "_export.lock");
    const held = await acquireLock(file, {
      what: `export ${exportName} at ${dir}`,
      timeoutMs: 0,
      busy: (holder) =>
        new DevstackError(`another export of ${exportName} is writing to ${dir}${holder ? ` (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : ""}`, {
          fix: `wait for it to finish; if that process is gone, delete ${file}`,
        }),
    });
    try {
      removeLeftovers(dir);
    } catch (error) {
      held.release();
      throw error;
    }
    return async () => held.release();
  }

  async readWatermark(exportName: string): Promise<Watermark | undefined> {
    const file = join(this.root, exportName, WATERMARK_FILE);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, "utf8")) as Watermark;
    } catch (error) {
      throw new DevstackError(`the watermark ${file} is unreadable`, { fix: "restore it from version control or backups, or run `devstack export --full` to export everything again", cause: error });
    }
  }

  async putPart(exportName: string, partition: string, name: string, file: string): Promise<string> {
    const dir = join(this.root, exportName, partition);
    await mkdir(dir, { recursive: true });
    const target = join(dir, name);
    // Files arrive under a dot-name (ignored by readers) and are renamed only once fsynced; asynchronously, as the next chunk streams meanwhile.
    const temp = join(dir, `.${name}.tmp`);
    await copyFile(file, temp);
    await fsyncPathAsync(temp);
    await rename(temp, target);
    await fsyncPathAsync(dir);
    return target;
  }

  async writeWatermark(exportName: string, watermark: Watermark): Promise<void> {
    writeDurable(join(this.root, exportName, WATERMARK_FILE), `${JSON.stringify(watermark, null, 2)}\n`, { mode: 0o644, keepPrevious: true });
  }

  async localFiles(exportName: string): Promise<string[]> {
    const dir = join(this.root, exportName);
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".parquet") && !f.split(/[\\/]/).some((part) => part.startsWith(".")))
      .sort()
      .map((f) => join(dir, f));
  }
}
