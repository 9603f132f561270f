import { smokeTarget } from "../config/components.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError, UsageError } from "../errors.js";
import { rollbackTarget, type Release } from "../deploy/release-record.js";
import type { SmokeResult } from "../deploy/smoke.js";
import { step, type Blocker, type Observation, type Plan, type StepRunner } from "./plan.js";

// Rollback: back to an earlier revision (the newest good one older than what
// runs, or --to), a smoke check, and — when the old revision does not
// answer either — back to what served before, so a rollback never leaves
// the app worse than it found it.

export interface RollbackObserved {
  target: Observation<string>;
  releases: Observation<Release[]>;
}

export interface RollbackPlan extends Plan {
  flow: "rollback";
  to: number | null;
  serving: number | null;
}

export function planRollback(config: ResolvedConfig, observed: RollbackObserved, to?: number): RollbackPlan {
  const base = { flow: "rollback" as const, app: config.app.name, profile: config.profileName, target: observed.target.ok ? observed.target.value : "unreachable" };
  const health = `smoke: ${smokeTarget(config)}`;
  if (!observed.releases.ok) {
    const why = observed.releases.why;
    return {
      ...base,
      steps: [step("rollback.to", `rollback: ${config.app.name} to ${to ?? "the previous good revision"}`, "unknown", why), step("rollback.smoke", health, "unknown", why), { ...step("rollback.undo", "rollback: back to the revision that served before", "unknown", why), onFailureOf: "rollback.smoke" }],
      unobserved: [{ what: observed.target.ok ? "the app's releases" : "the cluster", why, ...(!observed.target.ok && observed.target.fix ? { fix: observed.target.fix } : {}) }],
      blockers: [],
      to: to ?? null,
      serving: null,
    };
  }
  const list = observed.releases.value;
  const serving = list.find((r) => r.status === "deployed")?.revision ?? null;
  const target = to ?? rollbackTarget(list) ?? null;
  const blockers: Blocker[] = [];
  if (target === null) blockers.push({ message: "there is no earlier release to roll back to", fix: "`devstack releases` lists them; pick one with --to REVISION" });
  else if (!list.some((r) => r.revision === target)) blockers.push({ message: `revision ${target} does not exist`, fix: "`devstack releases` lists them" });
  const steps = blockers.length
    ? []
    : [
        step("rollback.to", `rollback: ${config.app.name} to revision ${target}`, "run"),
        step("rollback.smoke", health, "run"),
        serving !== null
          ? { ...step("rollback.undo", `rollback: back to revision ${serving}, which served before`, "run"), onFailureOf: "rollback.smoke" }
          : { ...step("rollback.undo", "rollback: back to what served before", "skip", "no release is serving now"), onFailureOf: "rollback.smoke" },
      ];
  return { ...base, steps, unobserved: [], blockers, to: target, serving };
}

export interface RollbackExecutors {
  rollback(revision: number): Promise<void>;
  smoke(): Promise<SmokeResult>;
}

export async function executeRollback(plan: RollbackPlan, ex: RollbackExecutors, run: StepRunner): Promise<{ revision: number; smoke: SmokeResult }> {
  const [blocker] = plan.blockers;
  if (blocker) throw new UsageError(blocker.message, blocker.fix);
  if (plan.to === null || plan.steps.some((s) => s.decision === "unknown")) throw new DevstackError("the rollback cannot be planned: the releases could not be read", { fix: "`devstack rollback --dry-run` shows why" });
  const to = plan.to;
  const [first, check, undo] = plan.steps as [Plan["steps"][number], Plan["steps"][number], Plan["steps"][number]];
  await run(first.title, () => ex.rollback(to));
  const result = await run(check.title, () => ex.smoke());
  if (!result.ok) {
    // What served before keeps serving: the rollback is undone.
    if (undo.decision === "run" && plan.serving !== null) {
      const serving = plan.serving;
      await run(undo.title, () => ex.rollback(serving));
    }
    throw new DevstackError(`revision ${to} does not answer: ${result.error ?? "no answer"}; revision ${plan.serving ?? "?"} serves again`, { fix: "`devstack releases` shows the others; pick one with --to" });
  }
  return { revision: to, smoke: result };
}
