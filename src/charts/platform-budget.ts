import { memoryBytes } from "../config/schema/quantity.js";
import { InternalError } from "../errors.js";

// Requests and memory limits for every container the platform runs: without
// them a pod is BestEffort, the first one a laptop's kubelet evicts. Sized
// from each project's own guidance where it gives some (the commented
// examples in the charts' values.yaml at their pinned versions), otherwise
// from the component's footprint on a one-node cluster with one app; the
// memory limit is the ceiling past which the container is restarted rather
// than starving the node.

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
}

export interface ContainerBudget {
  /** Subchart (or k3s for what k3s itself runs). */
  chart: string;
  container: string;
  /** Where the subchart takes this container's resources. */
  path: string[];
  resources: Resources;
  /** Why these numbers. */
  source: string;
  /** Runs only in a profile whose cluster is k3s (bundled) or not (platform-installed). */
  only?: "k3s" | "remote";
  /** A Job that runs once per install; it does not hold memory while the stack runs. */
  transient?: boolean;
}

const r = (cpu: string, memory: string, limit: string): Resources => ({ requests: { cpu, memory }, limits: { memory: limit } });

export const PLATFORM_BUDGET: ContainerBudget[] = [
  { chart: "cert-manager", container: "cert-manager-controller", path: ["resources"], resources: r("10m", "48Mi", "192Mi"), source: "cert-manager controller on a one-node cluster" },
  { chart: "cert-manager", container: "cert-manager-webhook", path: ["webhook", "resources"], resources: r("10m", "24Mi", "96Mi"), source: "cert-manager webhook" },
  { chart: "cert-manager", container: "cert-manager-cainjector", path: ["cainjector", "resources"], resources: r("10m", "48Mi", "192Mi"), source: "cert-manager cainjector (watches Secrets)" },
  { chart: "cert-manager", container: "cert-manager-startupapicheck", path: ["startupapicheck", "resources"], resources: r("10m", "16Mi", "64Mi"), source: "one-shot install check", transient: true },
  { chart: "external-secrets", container: "external-secrets", path: ["resources"], resources: r("10m", "32Mi", "128Mi"), source: "external-secrets values.yaml example (10m/32Mi)" },
  { chart: "external-secrets", container: "webhook", path: ["webhook", "resources"], resources: r("10m", "32Mi", "128Mi"), source: "external-secrets values.yaml example (10m/32Mi)" },
  { chart: "external-secrets", container: "cert-controller", path: ["certController", "resources"], resources: r("10m", "32Mi", "128Mi"), source: "external-secrets values.yaml example (10m/32Mi)" },
  { chart: "traefik", container: "traefik", path: ["resources"], resources: r("50m", "64Mi", "256Mi"), source: "Traefik proxying one app" },
  { chart: "loki", container: "loki", path: ["singleBinary", "resources"], resources: r("100m", "192Mi", "768Mi"), source: "Loki single binary, filesystem storage, one tenant" },
  { chart: "loki", container: "loki-sc-rules", path: ["sidecar", "resources"], resources: r("10m", "48Mi", "128Mi"), source: "k8s-sidecar (Python); grafana chart's sidecar example (50Mi)" },
  { chart: "alloy", container: "alloy", path: ["alloy", "resources"], resources: r("20m", "96Mi", "384Mi"), source: "Alloy tailing one node's pods" },
  { chart: "alloy", container: "config-reloader", path: ["configReloader", "resources"], resources: r("10m", "50Mi", "96Mi"), source: "alloy chart default request (10m/50Mi)" },
  { chart: "grafana", container: "grafana", path: ["resources"], resources: r("50m", "128Mi", "512Mi"), source: "grafana values.yaml example (128Mi)" },
  { chart: "alertmanager", container: "alertmanager", path: ["resources"], resources: r("10m", "32Mi", "128Mi"), source: "alertmanager values.yaml example (10m/32Mi, limit 128Mi)" },
];

/** The subchart values that carry the budget, e.g. `{ "cert-manager": { webhook: { resources } } }`. */
export function budgetValues(): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const b of PLATFORM_BUDGET) {
    let node = (values[b.chart] ??= {});
    for (const key of b.path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[b.path.at(-1) as string] = b.resources;
  }
  return values;
}

export function budgetOf(chart: string, container: string): Resources {
  const found = PLATFORM_BUDGET.find((b) => b.chart === chart && b.container === container);
  if (!found) throw new InternalError(`no budget for ${chart}/${container}`);
  return found.resources;
}

/** Mebibytes in a Kubernetes memory quantity (Mi, Gi, M, G, or bytes). */
export function mebibytes(quantity: string): number {
  return memoryBytes(quantity) / 1048576;
}
