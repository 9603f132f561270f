import type { ContainerSpec, StackSpec } from "./components.js";
import { secretFilePath } from "./container-files.js";

interface ObservedContainer {
  id: string;
  name: string;
  component: string;
  state: string;
  spec: string;
  image: string;
}

export interface Observed {
  /** False when no engine answered: the plan is then the one for a fresh machine. */
  engine: boolean;
  network: boolean;
  volumes: string[];
  containers: ObservedContainer[];
}

export type ContainerAction =
  | { action: "create"; spec: ContainerSpec; reason: string }
  | { action: "reuse"; spec: ContainerSpec; reason: string; id: string }
  | { action: "start"; spec: ContainerSpec; reason: string; id: string }
  | { action: "recreate"; spec: ContainerSpec; reason: string; id: string };

export interface StackPlan {
  stack: string;
  network: { name: string; action: "create" | "reuse" };
  volumes: { name: string; action: "create" | "reuse" }[];
  containers: ContainerAction[];
}

/** What `up` must do to turn what runs into what the profile asks for; nothing here touches Docker. */
export function planStack(spec: StackSpec, observed: Observed): StackPlan {
  const byComponent = new Map(observed.containers.map((c) => [c.component, c]));
  return {
    stack: spec.id,
    network: { name: spec.network, action: observed.network ? "reuse" : "create" },
    volumes: spec.volumes.map((name) => ({ name, action: observed.volumes.includes(name) ? "reuse" : "create" })),
    containers: spec.containers.map((c): ContainerAction => {
      const found = byComponent.get(c.component);
      if (!found) return { action: "create", spec: c, reason: "not there yet" };
      if (found.spec !== c.hash) return { action: "recreate", spec: c, id: found.id, reason: "its settings changed" };
      if (found.state === "running") return { action: "reuse", spec: c, id: found.id, reason: "running with the same settings" };
      // Created but never started: an interrupted run may have left it without its files.
      if (found.state === "created") return { action: "recreate", spec: c, id: found.id, reason: "left unstarted by an interrupted run" };
      return { action: "start", spec: c, id: found.id, reason: `${found.state}, same settings` };
    }),
  };
}

/** The plan as `--dry-run` and `--json` show it: no secret values, only where they come from. */
export function describePlan(plan: StackPlan) {
  return {
    stack: plan.stack,
    network: plan.network,
    volumes: plan.volumes,
    containers: plan.containers.map((c) => ({
      component: c.spec.component,
      action: c.action,
      reason: c.reason,
      name: c.spec.name,
      image: c.spec.image,
      ports: c.spec.ports.map((p) => `127.0.0.1:${p.host}->${p.container}/${p.protocol ?? "tcp"} (${p.purpose})`),
      volumes: c.spec.volumes.map((v) => `${v.name}:${v.path}`),
      // Secret env reaches a container as a file (NAME_FILE), never in its config.
      env: { ...c.spec.env, ...Object.fromEntries(Object.entries(c.spec.secretEnv).map(([k, v]) => [`${k}_FILE`, `${secretFilePath(k)} (secret ${v.group}.${v.name})`])) },
      ...(c.spec.cmd ? { cmd: c.spec.cmd } : {}),
    })),
  };
}
