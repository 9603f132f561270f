import type Docker from "dockerode";
import { DevstackError } from "../errors.js";
import { LABEL_PROJECT } from "./names.js";

export interface NetworkSeen {
  Id: string;
  Name: string;
  Created: string;
  Labels?: Record<string, string> | null;
}

/**
 * Of the networks named `name` (Docker lets two runs create one name
 * twice), the one to keep — the oldest, ties broken by id, so every run
 * picks the same — and the duplicates to remove: only ones carrying this
 * project's label, never a network someone else made.
 */
export function resolveDuplicates<T extends NetworkSeen>(networks: T[], name: string, project: string): { keep: T | undefined; remove: T[] } {
  const named = networks.filter((n) => n.Name === name).sort((a, b) => Date.parse(a.Created) - Date.parse(b.Created) || a.Id.localeCompare(b.Id));
  const [keep, ...rest] = named;
  return { keep, remove: rest.filter((n) => n.Labels?.[LABEL_PROJECT] === project) };
}

async function networksNamed(docker: Docker, name: string): Promise<NetworkSeen[]> {
  // The name filter matches substrings; resolveDuplicates keeps the exact ones.
  return (await docker.listNetworks({ filters: { name: [name] } })) as NetworkSeen[];
}

/** Removes a network, first disconnecting what is attached to it (a duplicate's containers join the kept one when recreated). */
async function removeNetwork(docker: Docker, id: string): Promise<void> {
  const network = docker.getNetwork(id);
  try {
    const info = (await network.inspect()) as { Containers?: Record<string, unknown> };
    for (const container of Object.keys(info.Containers ?? {})) await network.disconnect({ Container: container, Force: true }).catch(() => undefined);
    await network.remove();
  } catch (error) {
    // Already gone (another run removed it): what was wanted.
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
}

/**
 * The stack's network, exactly one: looked up by name, created when
 * missing, then looked up again — two runs that raced may both have created
 * one — and every duplicate of this project removed. Returns the kept
 * network's id and how many duplicates went.
 */
export async function ensureNetwork(docker: Docker, name: string, project: string): Promise<{ id: string; created: boolean; removed: number }> {
  let created = false;
  if (!resolveDuplicates(await networksNamed(docker, name), name, project).keep) {
    await docker.createNetwork({ Name: name, Driver: "bridge", Labels: { [LABEL_PROJECT]: project } });
    created = true;
  }
  const { keep, remove } = resolveDuplicates(await networksNamed(docker, name), name, project);
  for (const n of remove) await removeNetwork(docker, n.Id);
  if (!keep) throw new DevstackError(`network ${name} vanished right after it was created`, { kind: "conflict", fix: "another program removes devstack's networks: run the command again" });
  return { id: keep.Id, created, removed: remove.length };
}

/** Every network of the project's name and label (duplicates included), for `down --purge`. */
export async function removeNetworks(docker: Docker, name: string, project: string): Promise<number> {
  const all = (await networksNamed(docker, name)).filter((n) => n.Name === name && n.Labels?.[LABEL_PROJECT] === project);
  for (const n of all) await removeNetwork(docker, n.Id);
  return all.length;
}
