import { mebibytes, PLATFORM_BUDGET } from "../charts/platform-budget.js";
import { componentScale } from "../config/components.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { standIn } from "./standins/index.js";
import type { Component } from "./standins/standin.js";

// What the local stack asks of a laptop's memory, added up for `up --dry-run`
// and the README: the goal is at most 2 GiB for k3s, the platform, the
// stand-ins and the app together.

/**
 * Memory reserved for each container beside the cluster (Docker's soft
 * reservation: the kernel reclaims from containers above it first), as each
 * stand-in declares it.
 */
const memoryOf = (component: Component) => standIn(component).memoryMi;

/** What k3s itself runs in kube-system, with the requests its manifests set (Traefik's come from devstack's HelmChartConfig). */
const K3S_SYSTEM_MI = [
  { what: "k3s: CoreDNS", mi: 70 },
  { what: "k3s: metrics-server", mi: 70 },
];

interface BudgetLine {
  what: string;
  mi: number;
}

export interface LocalBudget {
  lines: BudgetLine[];
  totalMi: number;
  goalMi: number;
}

/** The local profile's memory: container reservations plus every pod's requests. */
export function localBudget(config: Pick<ResolvedConfig, "app" | "profile">, components: Component[]): LocalBudget {
  const lines: BudgetLine[] = components.map((c) => ({ what: `container: ${c}`, mi: memoryOf(c) }));
  if (components.includes("k3s")) {
    lines.push(...K3S_SYSTEM_MI);
    // k3s bundles Traefik; the platform's own entry is what devstack sets on it.
    for (const b of PLATFORM_BUDGET.filter((e) => !e.transient)) lines.push({ what: `${b.chart === "traefik" ? "k3s" : "platform"}: ${b.chart}/${b.container}`, mi: mebibytes(b.resources.requests.memory) });
    const names = Object.keys(config.app.components);
    for (const name of names) {
      const { replicas, resources } = componentScale(config, name);
      lines.push({ what: names.length === 1 ? `app: ${config.app.name} × ${replicas}` : `app: ${config.app.name}/${name} × ${replicas}`, mi: mebibytes(resources.requests.memory) * replicas });
    }
  }
  return { lines, totalMi: Math.round(lines.reduce((n, l) => n + l.mi, 0)), goalMi: 2048 };
}
