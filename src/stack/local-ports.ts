import type Docker from "dockerode";
import type { ResolvedConfig } from "../config/resolve.js";
import { profileSchema } from "../config/schema/profile.js";
import { stackId } from "../project/ids.js";
import { explicitPortKeys, portsOfOtherStacks, readRememberedPorts, writeRememberedPorts } from "../project/ports.js";
import { stackSpec } from "./components.js";
import { LABEL_PROJECT } from "./names.js";
import { choosePorts, probePort, type PortChoice } from "./ports.js";

/** Every port key's default, as the profile schema fills it in. */
function defaultPorts(): Record<string, number> {
  return profileSchema.shape.ports.parse(undefined);
}

/** Host ports this stack's own running containers publish. */
export async function ownPorts(docker: Docker, stack: string): Promise<Set<number>> {
  const containers = await docker.listContainers({ filters: { label: [`${LABEL_PROJECT}=${stack}`] } });
  return new Set(containers.flatMap((c) => c.Ports.map((p) => p.PublicPort).filter((p): p is number => typeof p === "number")));
}

/**
 * Settles the host port of each container port the stack publishes (see
 * choosePorts), sets them in config.profile.ports, and with `remember`
 * writes the moved ones to the stack's state. Call it holding the stack's lock.
 */
export async function settleLocalPorts(docker: Docker, config: ResolvedConfig, options: { cluster: boolean; remember: boolean }): Promise<PortChoice[]> {
  const stack = stackId(config);
  const ports = config.profile.ports as Record<string, number>;
  const wanted = [...new Set(stackSpec(config, options).containers.flatMap((c) => c.ports.map((p) => p.key?.replace(/^ports\./, "")).filter((k): k is string => k !== undefined && k in ports)))];
  const remembered = readRememberedPorts(stack);
  const defaults = defaultPorts();
  const choices = await choosePorts({
    stack,
    wanted,
    current: { ...ports },
    defaults,
    explicit: explicitPortKeys(config.files.profile),
    remembered: remembered.ports,
    ours: await ownPorts(docker, stack),
    reserved: portsOfOtherStacks(stack),
    busy: async (port) => (await probePort(port)) === "in-use",
  });
  for (const c of choices) ports[c.key] = c.port;
  if (options.remember) {
    const explicitKeys = new Set(choices.filter((c) => c.source === "explicit").map((c) => c.key));
    const settled = new Map(choices.filter((c) => c.source !== "explicit").map((c) => [c.key, c]));
    const kept = Object.fromEntries([
      ...Object.entries(remembered.ports).filter(([key]) => !explicitKeys.has(key) && !settled.has(key)),
      ...[...settled.values()].map((c) => [c.key, c.port] as const),
    ]);
    const moved = Object.fromEntries([
      ...Object.entries(remembered.defaults).filter(([key]) => !explicitKeys.has(key) && !settled.has(key)),
      ...[...settled.values()].filter((c) => c.port !== c.default).map((c) => [c.key, c.default] as const),
    ]);
    const changed = JSON.stringify(kept) !== JSON.stringify(remembered.ports) || JSON.stringify(moved) !== JSON.stringify(remembered.defaults);
    if (changed) writeRememberedPorts(stack, { ports: kept, defaults: moved });
  }
  return choices;
}

/** The keys whose port is not their default, as `up` and `status` show them: "smtp 1025 → 21507". */
export function movedPorts(ports: Record<string, number>, defaults: Record<string, number> = defaultPorts()): { key: string; port: number; default: number }[] {
  return Object.entries(ports)
    .filter(([key, port]) => defaults[key] !== undefined && defaults[key] !== port)
    .map(([key, port]) => ({ key, port, default: defaults[key] as number }));
}
