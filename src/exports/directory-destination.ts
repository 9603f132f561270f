import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { copyFile, mkdir, rename } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { DevstackError } from "../errors.js";
import { pidAlive } from "../process/alive.js";
import { fsyncPathAsync, removeStaleTemps, writeDurable } from "../fs/durable.js";
import { WATERMARK_FILE, type Destination } from "./destination.js";
import type { Watermark } from "./window.js";

function readLock(file: string): { pid: number; host: string; since: string } | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as { pid: number; host: string; since: string };
  } catch {
    return undefined;
  }
}

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

  async lock(exportName: string): Promise<() => Promise<void>> {
    const dir = join(this.root, exportName);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "_export.lock");
    const me = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(file, me, { flag: "wx" });
        const release = async () => rmSync(file, { force: true });
        try {
          removeLeftovers(dir);
        } catch (error) {
          await release();
          throw error;
        }
        return release;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = readLock(file);
        // A lock whose process is gone (killed mid-export) is taken over at once: its run left nothing the watermark counts.
        if (holder && holder.host === hostname() && !pidAlive(holder.pid)) {
          // Renamed away, not deleted: of two runs taking over at once only one rename succeeds, so only one deletes.
          const stale = `${file}.stale.${process.pid}`;
          try {
            renameSync(file, stale);
            rmSync(stale, { force: true });
          } catch {
            // The other run took it over first; the next attempt finds its live lock.
          }
          continue;
        }
        throw new DevstackError(`another export of ${exportName} is writing to ${dir}${holder ? ` (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : ""}`, {
          fix: `wait for it to finish; if that process is gone, delete ${file}`,
        });
      }
    }
    throw new DevstackError(`could not lock ${file}`, { fix: `delete ${file} if no export is running` });
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
