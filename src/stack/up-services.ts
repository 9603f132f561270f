import type Docker from "dockerode";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { openStore } from "../secrets/open-store.js";
import { secretPlan } from "../secrets/model.js";
import type { Snapshot } from "../secrets/store.js";
import { syncSecrets } from "../secrets/sync.js";
import { stackSpec, type ContainerSpec, type StackSpec } from "./components.js";
import { configureServices, type ServiceEndpoints, type Step } from "./configure-services.js";
import { connectDocker } from "./docker.js";
import { executePlan } from "./execute.js";
import { FRESH, observeStack } from "./observe.js";
import { planStack, type StackPlan } from "./plan.js";
import { settleLocalPorts } from "./local-ports.js";
import type { PortChoice } from "./ports.js";
import { registriesYaml } from "./standins/k3s.js";
import { pebbleFiles, pebbleHttpPort } from "./standins/pebble.js";

export { configureServices, type SecretValue, type ServiceEndpoints, type Step } from "./configure-services.js";

export interface PlannedStack {
  spec: StackSpec;
  plan: StackPlan;
  docker: Docker | undefined;
  /** The host port of each published key, when they were settled (`up`): which moved off a taken default. */
  ports: PortChoice[];
}

/** The plan for the local stack; without a reachable engine (dry run) it is the plan for a fresh machine. */
export async function planLocalStack(config: ResolvedConfig, options: { cluster: boolean; requireEngine: boolean; settlePorts?: "remember" | "preview" }): Promise<PlannedStack> {
  if (config.profile.cluster.type !== "k3s") {
    throw new DevstackError(`profile ${config.profileName} runs on ${config.profile.cluster.type}, not the local stack`, {
      fix: `\`devstack up\` starts local profiles (cluster type k3s); deploy to ${config.profileName} with \`devstack deploy --profile ${config.profileName}\``,
    });
  }
  let docker: Docker | undefined;
  try {
    docker = await connectDocker();
  } catch (error) {
    if (options.requireEngine) throw error;
  }
  // Ports first: every spec (the hash, the registry mirror, the endpoints) is made from them.
  const ports = docker && options.settlePorts ? await settleLocalPorts(docker, config, { cluster: options.cluster, remember: options.settlePorts === "remember" }) : [];
  const spec = stackSpec(config, options);
  const observed = docker ? await observeStack(docker, spec) : FRESH;
  return { spec, plan: planStack(spec, observed), docker, ports };
}

/**
 * Starts or reuses the managed-service stand-ins beside the (future) cluster
 * — registry, Postgres, Pebble with its DNS test server, the SMTP sink, the
 * S3 object store, Redis — with the secrets they need, then configures them
 * (configureServices). `onSecrets` sees the store's values before any
 * container is touched, so every later message can be redacted.
 */
export async function upServices(config: ResolvedConfig, planned: PlannedStack, step: Step, options: { onSecrets?: (snapshot: Snapshot) => void } = {}): Promise<{ endpoints: ServiceEndpoints; snapshot: Snapshot }> {
  const docker = planned.docker as Docker;
  const { spec, plan } = planned;
  const store = await openStore(config);
  const sync = await step("secrets: generate what is missing", () => syncSecrets(secretPlan(config), store));
  const { snapshot } = sync;
  options.onSecrets?.(snapshot);
  const secretValue = (ref: { group: string; name: string }) => {
    const value = snapshot[ref.group as keyof Snapshot][ref.name]?.value;
    if (value === undefined) throw new DevstackError(`secret ${ref.group}.${ref.name} is missing from ${store.location}`, { fix: "run `devstack secrets sync`" });
    return value;
  };
  const files = async (c: ContainerSpec) => {
    if (c.component === "pebble") return pebbleFiles(spec.id, pebbleHttpPort(c.inputs));
    // containerd on the node pulls localhost:<port>/... from the registry container.
    if (c.component === "k3s") return [{ path: "/etc/rancher/k3s/registries.yaml", content: registriesYaml(config.profile.ports.registry), mode: 0o644 }];
    return [];
  };
  await executePlan(docker, spec, plan, { profile: config.profileName, secretValue, files, step });
  return { endpoints: await configureServices(config, spec, docker, secretValue, step), snapshot };
}
