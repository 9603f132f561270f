import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import { userDirs } from "../fs/paths.js";
import type { RenderedResource } from "./manifests.js";

// `helm template` of the platform with its seven subcharts, and parsing its
// few megabytes of YAML, take about a second, and are a pure function of the
// chart's files, the values and the flags: an unchanged render (render, diff,
// deploy's skip check) reads the last result instead. Values never hold a
// secret; a render with a Secret that has data is never kept.

const KEEP = 24;

const dir = () => join(userDirs().cache, "helm-template");

/** The chart's identity: every file's path, size and content hash (vendored packages included). */
function chartDigest(chart: string): string {
  const hash = createHash("sha256");
  const walk = (current: string, prefix: string): void => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      // Links are followed, as helm follows them.
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else hash.update(`${prefix}${name}\0`).update(readFileSync(path));
    }
  };
  walk(chart, "");
  return hash.digest("hex");
}

export function templateKey(chart: string, args: string[], valuesText: string, helmVersion: string): string {
  return createHash("sha256").update(chartDigest(chart)).update("\0").update(args.join("\0")).update("\0").update(valuesText).update("\0").update(helmVersion).digest("hex").slice(0, 32);
}

export function cachedTemplate(key: string): RenderedResource[] | undefined {
  const file = join(dir(), `${key}.json`);
  try {
    const resources = JSON.parse(readFileSync(file, "utf8")) as RenderedResource[];
    const now = new Date();
    utimesSync(file, now, now);
    return resources;
  } catch {
    return undefined;
  }
}

export async function storeTemplate(key: string, resources: RenderedResource[]): Promise<void> {
  if (resources.some((r) => r.object.kind === "Secret" && (r.object.data !== undefined || r.object.stringData !== undefined))) return;
  try {
    mkdirSync(dir(), { recursive: true });
    await writeFileAtomic(join(dir(), `${key}.json`), JSON.stringify(resources));
    const entries = readdirSync(dir())
      .filter((f) => f.endsWith(".json"))
      .map((f) => ({ f, t: statSync(join(dir(), f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const old of entries.slice(KEEP)) rmSync(join(dir(), old.f), { force: true });
  } catch {
    // A cache that cannot be written only costs time next run.
  }
}
