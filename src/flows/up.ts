import type { ResolvedConfig } from "../config/resolve.js";
import type { DeployPlan } from "./deploy.js";
import { step, type Plan, type PlanStep } from "./plan.js";

// `up`'s cluster half, after the containers (whose plan is stack/plan.ts):
// k3s ready and wired to the services beside it, certificates re-issued
// when the local ACME root changed, then the deploy flow's own plan.

export interface ContainerLine {
  component: string;
  action: "create" | "reuse" | "start" | "recreate";
  reason: string;
}

export function planUp(config: ResolvedConfig, containers: ContainerLine[], deploy: DeployPlan | undefined): Plan {
  const steps: PlanStep[] = containers.map((c) => step(`container.${c.component}`, `${c.component}: ${c.action}`, c.action === "reuse" ? "skip" : "run", c.reason));
  if (deploy) {
    steps.push(
      step("k3s.ready", "k3s: ready", "run", "its kubeconfig goes to the user config directory"),
      step("k3s.wire", "k3s: wire the services beside it", "run", `registries.yaml mirror of localhost:${config.profile.ports.registry}, coredns-custom rewriting *.${config.profile.domain} to the ingress, local-registry-hosting, Traefik's logs`),
      step("tls.reissue", "tls: re-issue certificates for a new local ACME root", "unknown", "only when the local ACME server has a new root"),
      ...deploy.steps,
    );
  }
  return {
    flow: "up",
    app: config.app.name,
    profile: config.profileName,
    target: deploy ? "the local k3s" : "the local services (no cluster)",
    steps,
    unobserved: deploy?.unobserved ?? [],
    blockers: deploy?.blockers ?? [],
  };
}
