import { createHash } from "node:crypto";
import type { ResolvedConfig } from "../config/resolve.js";
import { stackId } from "../project/ids.js";
import { containerName, LABEL_APP, LABEL_COMPONENT, LABEL_PROJECT, LABEL_SPEC, networkName } from "./names.js";
import { STANDINS } from "./standins/index.js";
import type { ContainerDraft, ContainerSpec, StandIn } from "./standins/standin.js";

export type { ContainerSpec } from "./standins/standin.js";

export interface StackSpec {
  id: string;
  network: string;
  /** Named volumes that survive `down` and go with `down --purge`. */
  volumes: string[];
  containers: ContainerSpec[];
}

function finish(standIn: StandIn, draft: ContainerDraft, stack: string, app: string): ContainerSpec {
  // The name follows the component, as it always has: key order is part of the hash.
  const { component, ...rest } = draft;
  const spec = { component, name: containerName(stack, standIn.nameSuffix), ...rest, memoryMi: standIn.memoryMi };
  const hash = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 16);
  return { ...spec, labels: { [LABEL_PROJECT]: stack, [LABEL_COMPONENT]: spec.component, [LABEL_APP]: app, [LABEL_SPEC]: hash }, hash };
}

/**
 * The containers beside the local cluster, from the profile: each managed
 * service production buys, as a container that speaks its protocol (one
 * module per stand-in, in src/stack/standins/). With `cluster: false`
 * (--services-only) there is no k3s, and Pebble validates against its own
 * test server instead of the ingress.
 */
export function stackSpec(config: ResolvedConfig, options: { cluster: boolean }): StackSpec {
  const id = stackId(config);
  const context = { config, stack: id, cluster: options.cluster };
  const containers = STANDINS.filter((s) => s.wanted(context)).map((s) => finish(s, s.container(context), id, config.app.name));
  return { id, network: networkName(id), volumes: containers.flatMap((c) => c.volumes.map((v) => v.name)), containers };
}
