import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { writeDurable } from "../fs/durable.js";
import { userDirs } from "../fs/paths.js";
import { stackId, type ProjectRef } from "./ids.js";
import { stackStateDir } from "./paths.js";

// The host ports `up` chose for a project's local stack when a default was
// taken (by another project's stack, or anything else), remembered in the
// stack's state directory so every later command (status, deploy, the watch
// loop, export) reaches the same ones. A port written in the profile is
// never moved; `down --purge` forgets the choice with the rest of the state.

const PORTS_FILE = "ports.json";

export interface RememberedPorts {
  /** Port key (as under `ports:` in the profile) to the host port chosen for it. */
  ports: Record<string, number>;
  /** Each key's default, when it was moved from it, for status and `up` to say so. */
  defaults: Record<string, number>;
}

function portsStatePath(stack: string): string {
  return join(stackStateDir(stack), PORTS_FILE);
}

function readPortsFile(path: string): RememberedPorts | undefined {
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as Partial<RememberedPorts>;
    const numbers = (o: unknown) => Object.fromEntries(Object.entries(o && typeof o === "object" ? o : {}).filter((e): e is [string, number] => Number.isInteger(e[1])));
    return { ports: numbers(data.ports), defaults: numbers(data.defaults) };
  } catch {
    return undefined;
  }
}

export function readRememberedPorts(stack: string): RememberedPorts {
  return readPortsFile(portsStatePath(stack)) ?? { ports: {}, defaults: {} };
}

/** Written whole and durably: a reader sees the old choice or the new one. */
export function writeRememberedPorts(stack: string, remembered: RememberedPorts): void {
  const path = portsStatePath(stack);
  mkdirSync(stackStateDir(stack), { recursive: true });
  writeDurable(path, `${JSON.stringify(remembered, null, 2)}\n`, { mode: 0o600 });
}

/** The host ports other projects' stacks have remembered: not handed out again while they exist. */
export function portsOfOtherStacks(stack: string): Set<number> {
  const dir = join(userDirs().data, "stacks");
  const taken = new Set<number>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return taken;
  }
  for (const name of names) {
    if (name === stack) continue;
    for (const port of Object.values(readPortsFile(join(dir, name, PORTS_FILE))?.ports ?? {})) taken.add(port);
  }
  return taken;
}

/** The keys under `ports:` the profile file writes out: those are the user's, never moved. */
export function explicitPortKeys(profileFile: string): Set<string> {
  try {
    const data = parse(readFileSync(profileFile, "utf8")) as { ports?: unknown } | null;
    return new Set(data?.ports && typeof data.ports === "object" ? Object.keys(data.ports) : []);
  } catch {
    return new Set();
  }
}

/**
 * The remembered ports over the profile's defaults, for a project's own
 * stack (not an isolated test instance, whose stack id differs and has none).
 * Keys the profile writes out are left as written.
 */
export function applyRememberedPorts(config: ProjectRef & { files: { profile: string }; profile: { ports: Record<string, number> } }): void {
  const remembered = readRememberedPorts(stackId(config)).ports;
  if (Object.keys(remembered).length === 0) return;
  const explicit = explicitPortKeys(config.files.profile);
  for (const [key, port] of Object.entries(remembered)) {
    if (key in config.profile.ports && !explicit.has(key)) config.profile.ports[key] = port;
  }
}
