import type Docker from "dockerode";
import type { StackSpec } from "./components.js";
import { LABEL_COMPONENT, LABEL_PROJECT, LABEL_SPEC } from "./names.js";
import type { Observed } from "./plan.js";

/** What of a stack exists now, found by its labels. */
export async function observeStack(docker: Docker, spec: Pick<StackSpec, "id" | "network">): Promise<Observed> {
  const label = `${LABEL_PROJECT}=${spec.id}`;
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters: { label: [label] } }),
    docker.listNetworks({ filters: { name: [spec.network] } }),
    docker.listVolumes({ filters: { label: [label] } }),
  ]);
  return {
    engine: true,
    network: networks.some((n) => n.Name === spec.network),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
    containers: containers.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? "").replace(/^\//, ""),
      component: c.Labels[LABEL_COMPONENT] ?? "",
      state: c.State,
      spec: c.Labels[LABEL_SPEC] ?? "",
      image: c.Image,
    })),
  };
}

export const FRESH: Observed = { engine: false, network: false, volumes: [], containers: [] };
