import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { KeyHome } from "./key-home.js";
import type { LocalStore } from "./local-store.js";
import { pidAlive, processStart } from "../process/alive.js";

// An isolated test stack's store lives as long as the process that made it.
// Its directory carries an owner file, so a store whose process was killed
// before it could clean up is removed by the next isolated stack.

const OWNER = ".ephemeral";

interface EphemeralOwner {
  pid: number;
  started?: string;
}

/** Marks a store's directory as this process's, before anything is written into it. */
export function claimEphemeral(store: LocalStore): void {
  const dir = dirname(store.location);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const started = processStart(process.pid);
  const owner: EphemeralOwner = { pid: process.pid, ...(started ? { started } : {}) };
  writeFileSync(join(dir, OWNER), JSON.stringify(owner), { mode: 0o600 });
}

/** Removes the store, its directory and its marker. */
export function removeEphemeral(store: LocalStore): void {
  store.remove();
  rmSync(dirname(store.location), { recursive: true, force: true });
}

/** Removes the stores of isolated stacks whose process is gone; returns their directories. */
export function sweepEphemeral(home: KeyHome = KeyHome.user()): string[] {
  const removed: string[] = [];
  let projects: string[];
  try {
    projects = readdirSync(home.storesDir);
  } catch {
    return removed;
  }
  for (const project of projects) {
    const dir = join(home.storesDir, project);
    const ownerFile = join(dir, OWNER);
    if (!existsSync(ownerFile)) continue;
    let owner: EphemeralOwner | undefined;
    try {
      owner = JSON.parse(readFileSync(ownerFile, "utf8")) as EphemeralOwner;
    } catch {
      owner = undefined;
    }
    // Gone meanwhile: another process's sweep or stop() removed the store (two test stacks starting at once).
    const written = owner ? undefined : statSync(ownerFile, { throwIfNoEntry: false });
    if (!owner && !written) continue;
    if (owner ? pidAlive(owner.pid, owner.started) : Date.now() - (written?.mtimeMs ?? 0) < 10_000) continue;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.endsWith(".age")) rmSync(home.markerFor(join(dir, name)), { force: true });
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
