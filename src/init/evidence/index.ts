import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { basename as pathBasename, join } from "node:path";
import type { Found, RepoView } from "../facts.js";
import { composeContexts, composeFacts, composeFiles, hardcodedHostFacts } from "./compose.js";
import { depsFacts } from "./deps.js";
import { dockerfileFacts } from "./dockerfiles.js";
import { envFacts } from "./env.js";
import { frameworkFacts } from "./frameworks.js";
import { manifestFacts } from "./manifests.js";
import { dirNameFacts, nameFacts } from "./name.js";
import { manifests } from "./packages.js";
import { procfileFacts } from "./procfile.js";

export { memoryRepo } from "./util.js";

const SKIP_DIRS = new Set([".git", "node_modules", "vendor", "dist", "build", "target", ".venv", "venv", "__pycache__", ".next", ".terraform", "coverage", ".idea", ".vscode", ".cache"]);
const MAX_FILES = 5000;
const MAX_BYTES = 512 * 1024;
const MAX_CACHED = 64 * 1024 * 1024;

/** A RepoView that also knows the directory it was read from (the name of last resort). */
export interface LocalRepo extends RepoView {
  root: string;
}

/** The tree under `root`, breadth first so a huge tree keeps its top-level files; symlinks are not followed. */
export function repoView(root: string): LocalRepo {
  const files: string[] = [];
  const queue: string[] = [""];
  while (queue.length > 0 && files.length < MAX_FILES) {
    const rel = queue.shift() as string;
    let entries;
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      continue;
    }
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) queue.push(path);
      } else if (e.isFile() && files.length < MAX_FILES) {
        try {
          if (lstatSync(join(root, path)).size <= MAX_BYTES) files.push(path);
        } catch {
          continue;
        }
      }
    }
  }
  const known = new Set(files);
  const cache = new Map<string, string | undefined>();
  let cached = 0;
  return {
    root,
    files,
    read(path) {
      if (!known.has(path)) return undefined;
      if (cache.has(path)) return cache.get(path);
      let text: string | undefined;
      try {
        text = readFileSync(join(root, path), "utf8");
      } catch {
        text = undefined;
      }
      // Collectors read some files more than once; a bounded cache keeps a huge tree from living in memory.
      if (cached + (text?.length ?? 0) <= MAX_CACHED) {
        cache.set(path, text);
        cached += text?.length ?? 0;
      }
      return text;
    },
  };
}

// Ports, health paths and routes belong to the component whose directory holds them: two components' alike facts are both kept.
const PER_DIRECTORY = new Set<Found["kind"]>(["port", "health", "route"]);
const key = (f: Found): string => JSON.stringify([f.kind, f.value, PER_DIRECTORY.has(f.kind) ? f.source.replace(/:\d+$/, "").replace(/\/?[^/]*$/, "") : ""]);

/** Every fact the repository shows; the same fact from two places is kept once, a confirmed sighting first. */
export function collectFacts(repo: RepoView & { root?: string }): Found[] {
  const compose = composeFiles(repo);
  const all = manifests(repo);
  const facts = [
    ...nameFacts(all),
    ...composeFacts(repo, compose),
    ...dockerfileFacts(repo, composeContexts(repo, compose)),
    ...procfileFacts(repo),
    ...manifestFacts(repo),
    ...depsFacts(repo, all),
    ...frameworkFacts(repo, all),
    ...envFacts(repo),
    ...hardcodedHostFacts(repo, compose),
    // Last, so that any name the repository states comes first.
    ...(repo.root === undefined ? [] : dirNameFacts(pathBasename(repo.root))),
  ];
  const kept = new Map<string, Found>();
  for (const f of facts) {
    const prior = kept.get(key(f));
    if (!prior || (!prior.confirmed && f.confirmed)) kept.set(key(f), f);
  }
  return [...kept.values()];
}
