import { volumeName } from "../names.js";
import { resolveImage, type HostPorts, type StandIn } from "./standin.js";

/** ECR's stand-in: the distribution registry, whose data outlives the cluster. */
export const REGISTRY_PORT = 5000;

export const registry: StandIn = {
  component: "registry",
  nameSuffix: "registry",
  image: "docker.io/library/registry:2.8.3",
  memoryMi: 32,
  wanted: () => true,
  container: ({ config, stack }) => ({
    component: "registry",
    image: resolveImage(registry, config.profile.images),
    env: { REGISTRY_STORAGE_DELETE_ENABLED: "true" },
    secretEnv: {},
    ports: [{ container: REGISTRY_PORT, host: config.profile.ports.registry, purpose: "image registry", key: "ports.registry" }],
    volumes: [{ name: volumeName(stack, "registry"), path: "/var/lib/registry" }],
    aliases: ["registry"],
  }),
  url: (config) => `http://localhost:${config.profile.ports.registry}/v2/`,
  clusterPorts: [],
};

/** True once the registry answers its API root. */
export async function registryAnswering(ports: Pick<HostPorts, "registry">): Promise<true | undefined> {
  return (await fetch(`http://127.0.0.1:${ports.registry}/v2/`, { signal: AbortSignal.timeout(2000) })).status === 200 ? true : undefined;
}
