import type { ResolvedConfig } from "../config/resolve.js";
import { releases, rollbackTo, smoke } from "../deploy/release-ops.js";
import { clusterAccess } from "../deploy/target.js";
import { seen, unseen, type StepRunner } from "../flows/plan.js";
import { executeRollback, planRollback, type RollbackPlan } from "../flows/rollback.js";
import type { SmokeResult } from "../deploy/smoke.js";
import { observe, unreachable } from "./platform.js";

/** `devstack rollback`: the plan, and unless it is a dry run, the rollback it describes. */
export async function runRollback(config: ResolvedConfig, options: { step: StepRunner; dryRun: boolean; to?: number }): Promise<{ plan: RollbackPlan; result?: { revision: number; smoke: SmokeResult } }> {
  const target = await observe(() => clusterAccess(config));
  const access = target.ok ? target.value : undefined;
  try {
    const history = access ? await observe(() => releases(config, access)) : unseen<Awaited<ReturnType<typeof releases>>>(target.ok ? "" : target.why, target.ok ? undefined : target.fix);
    const plan = planRollback(config, { target: access ? seen(access.describe) : target.ok ? seen("") : target, releases: history }, options.to);
    if (options.dryRun) return { plan };
    if (!access) throw unreachable({ ...plan, unobserved: plan.unobserved.map((u) => ({ ...u, what: "the cluster" })) });
    const result = await executeRollback(plan, { rollback: (revision) => rollbackTo(config, access, revision), smoke: () => smoke(config, 3 * 60_000) }, options.step);
    return { plan, result };
  } finally {
    access?.dispose();
  }
}
