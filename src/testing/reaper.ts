import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { hostname } from "node:os";
import type Docker from "dockerode";
import { DevstackError } from "../errors.js";
import { stackStateDir } from "../project/paths.js";
import { pidAlive, processStart } from "../process/alive.js";
import { LABEL_PROJECT, networkName } from "../stack/names.js";

// Who removes a test stack when its process cannot. With a reaper (Ryuk,
// or its stand-in) testcontainers does: the reaper removes the session's
// containers, network and volumes some seconds after the process's
// connection to it closes, however the process ended. Without one, the
// harness does what it can itself: stop() as always, a synchronous removal
// when the process exits without stop(), the same on SIGINT/SIGTERM/SIGHUP
// when nothing else handles them — and, for a process that was killed
// outright, the next startStack on this machine removes every stack whose
// owner (labelled on its containers and volumes) is no longer running.

const LABEL_OWNER_PID = "devstack.owner.pid";
const LABEL_OWNER_STARTED = "devstack.owner.started";
const LABEL_OWNER_HOST = "devstack.owner.host";
const LABEL_OWNER_BOOT = "devstack.owner.boot";

function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "";
  }
}

/** The test process that owns a stack, as labels on its containers and volumes. */
export function ownerLabels(): Record<string, string> {
  return {
    [LABEL_OWNER_PID]: String(process.pid),
    [LABEL_OWNER_STARTED]: processStart(process.pid) ?? "",
    [LABEL_OWNER_HOST]: hostname(),
    [LABEL_OWNER_BOOT]: bootId(),
  };
}

function ownerGone(labels: Record<string, string>): boolean {
  // Another machine's stack on a shared engine: only that machine can tell whether its owner runs.
  if (labels[LABEL_OWNER_HOST] !== hostname()) return false;
  if ((labels[LABEL_OWNER_BOOT] ?? "") !== bootId()) return true;
  return !pidAlive(Number(labels[LABEL_OWNER_PID]), labels[LABEL_OWNER_STARTED] || undefined);
}

export interface ReaperChoice {
  reaper: boolean;
  /** The image testcontainers starts as its reaper. */
  image?: string;
  /** Why there is none. */
  reason?: string;
}

async function pullWithin(docker: Docker, image: string, ms: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        const stream = await docker.pull(image);
        await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())));
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DevstackError(`no pull within ${ms / 1000} s`, { kind: "timeout" })), ms);
      }),
    ]);
    return undefined;
  } catch (error) {
    return (error as Error).message.split("\n")[0];
  } finally {
    clearTimeout(timer);
  }
}

let choice: Promise<ReaperChoice> | undefined;

async function decide(docker: Docker, say: (line: string) => void): Promise<ReaperChoice> {
  if (process.env.TESTCONTAINERS_RYUK_DISABLED === "true") return { reaper: false, reason: "TESTCONTAINERS_RYUK_DISABLED=true" };
  // testcontainers-node reads RYUK_CONTAINER_IMAGE when it loads; the name the other testcontainers use works too.
  if (!process.env.RYUK_CONTAINER_IMAGE && process.env.TESTCONTAINERS_RYUK_CONTAINER_IMAGE) process.env.RYUK_CONTAINER_IMAGE = process.env.TESTCONTAINERS_RYUK_CONTAINER_IMAGE;
  const { REAPER_IMAGE: image } = await import("testcontainers/build/reaper/reaper.js");
  try {
    await docker.getImage(image).inspect();
    return { reaper: true, image };
  } catch {
    // not here: pull it, as testcontainers would
  }
  const failure = await pullWithin(docker, image, 60_000);
  if (failure === undefined) return { reaper: true, image };
  // Read when testcontainers first needs its reaper (the network, below): from then on, no reaper for this process.
  process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
  const reason = `its image ${image} is not here and cannot be pulled (${failure})`;
  say(`devstack/testing: no reaper: ${reason}; a stack goes with stop() or when this process exits, and one a killed process left behind with the next startStack on this machine`);
  return { reaper: false, image, reason };
}

/**
 * Once per process, before testcontainers starts anything: its reaper when
 * the image is here or can be pulled; otherwise TESTCONTAINERS_RYUK_DISABLED
 * for the rest of the process, and one line saying so.
 */
export function chooseReaper(docker: Docker, say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<ReaperChoice> {
  choice ??= decide(docker, say);
  return choice;
}

/** What a stack's removal needs to know, kept for a process that ends without stop(). */
interface Pending {
  network: string;
  /** Removes what is on this machine (its secret store, state); synchronous, for the exit hook. */
  local: () => void;
}

const pending = new Map<string, Pending>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

// Runs in a child process, because an exit hook cannot wait for the engine:
// argv is dockerode's path, then [{ id, network }] as JSON.
const REMOVE_SCRIPT = `
const Docker = require(process.argv[1]);
const docker = new Docker();
const ignore = () => undefined;
(async () => {
  for (const { id, network } of JSON.parse(process.argv[2])) {
    const filters = { label: [${JSON.stringify(LABEL_PROJECT)} + "=" + id] };
    const containers = await docker.listContainers({ all: true, filters });
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignore)));
    await docker.getNetwork(network).remove().catch(ignore);
    const volumes = (await docker.listVolumes({ filters })).Volumes || [];
    await Promise.all(volumes.map((v) => docker.getVolume(v.Name).remove().catch(ignore)));
  }
})().catch(() => process.exit(1));
`;

function removeNowSync(): void {
  if (pending.size === 0) return;
  const stacks = [...pending].map(([id, p]) => ({ id, network: p.network }));
  const dockerode = createRequire(import.meta.url).resolve("dockerode");
  spawnSync(process.execPath, ["-e", REMOVE_SCRIPT, dockerode, JSON.stringify(stacks)], { stdio: "ignore", timeout: 60_000 });
  for (const p of pending.values()) {
    try {
      p.local();
    } catch {
      // the process is exiting: the next startStack sweeps what is left
    }
  }
  pending.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Someone else handles this signal and decides whether the process ends; if it does, the exit hook runs.
  if (process.listenerCount(signal) > 1) return;
  removeNowSync();
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off("exit", removeNowSync);
  // The signal's own default: the process ends as it would have without this handler.
  process.kill(process.pid, signal);
}

let hooked = false;

/** Without a reaper: remove the stack when the process ends without stop(). Returns the undo, for stop(). */
export function removeAtExit(id: string, entry: Pending): () => void {
  pending.set(id, entry);
  if (!hooked) {
    hooked = true;
    process.on("exit", removeNowSync);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  return () => pending.delete(id);
}

/** Removes one stack's containers, network and volumes by its labels; what is already gone is fine. */
async function removeStack(docker: Docker, id: string): Promise<void> {
  const filters = { label: [`${LABEL_PROJECT}=${id}`] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  await docker.getNetwork(networkName(id)).remove().catch(() => undefined);
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  await Promise.all(volumes.map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
  rmSync(stackStateDir(id), { recursive: true, force: true });
}

/**
 * Removes the test stacks on this engine whose owning process, on this
 * machine, is gone (killed before stop() or its exit hook could run, with
 * no reaper to remove them); returns their names.
 */
export async function sweepOrphans(docker: Docker): Promise<string[]> {
  const filters = { label: [LABEL_OWNER_PID] };
  const [containers, volumes] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listVolumes({ filters })]);
  const owners = new Map<string, Record<string, string>>();
  for (const labels of [...containers.map((c) => c.Labels), ...(volumes.Volumes ?? []).map((v) => v.Labels ?? {})]) {
    const project = labels[LABEL_PROJECT];
    if (project && !owners.has(project)) owners.set(project, labels);
  }
  const orphans = [...owners].filter(([, labels]) => ownerGone(labels)).map(([id]) => id);
  await Promise.all(orphans.map((id) => removeStack(docker, id)));
  return orphans;
}
