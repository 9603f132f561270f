import { createInterface } from "node:readline/promises";
import { availableProfiles } from "../../config/project.js";
import { loadConfig } from "../../config/resolve.js";
import { UsageError } from "../../errors.js";
import { executePromoteIn, observePromote, planPromoteFrom } from "../../effects/promote.js";
import { formatPlan } from "../../flows/plan.js";
import type { PromotePlan } from "../../flows/promote.js";
import { colors, err, out, printEvent, printResult } from "../output.js";
import { protectLocalStores, protectSnapshot } from "../protect.js";
import { Reporter } from "../reporter.js";

/** The plan with the resource changes under it, as a person reads it before saying yes. */
function show(plan: PromotePlan): void {
  out(formatPlan(plan).join("\n"));
  if (plan.from) out(`promote ${plan.app} ${plan.from.repository}@${plan.from.digest} from ${plan.source} (revision ${plan.from.revision}) to ${colors.bold(plan.profile)}`);
  out(colors.dim(`  ${plan.configDifferences} config values differ between ${plan.source} and ${plan.profile} (\`devstack diff ${plan.source} ${plan.profile}\` lists them)`));
  for (const c of plan.changes ?? []) {
    out(`  ${c.change === "added" ? colors.green("+") : c.change === "removed" ? colors.red("-") : colors.yellow("~")} ${c.resource}`);
    for (const f of c.fields.slice(0, 8)) out(colors.dim(`      ${f.path}: ${JSON.stringify(f.a)} → ${JSON.stringify(f.b)}`));
    if (c.fields.length > 8) out(colors.dim(`      … ${c.fields.length - 8} more`));
  }
}

export async function run(options: { profile?: string; from?: string; yes?: boolean; json?: boolean; dryRun?: boolean }): Promise<number> {
  const target = loadConfig({ profile: options.profile ?? "prod" });
  // Without --from: staging where the project has one, else what runs locally.
  const fromName = options.from ?? (availableProfiles(target.projectDir).includes("staging") ? "staging" : "local");
  const source = loadConfig({ profile: fromName });
  if (source.profileName === target.profileName) throw new UsageError(`promote copies from one profile to another; both are ${source.profileName}`, "name the source with --from");
  await protectLocalStores([target, source]);
  const reporter = Reporter.forOutput(options.json ?? false);
  const world = options.dryRun ? await observePromote(source, target, true) : await reporter.step(`observe: ${source.profileName} and ${target.profileName}`, () => observePromote(source, target, false));
  try {
    const plan = planPromoteFrom(source, target, world);
    if (options.dryRun) {
      if (options.json) printResult("promote", { dryRun: true, plan });
      else show(plan);
      return 0;
    }
    // Nothing has changed yet: the copy and the deploy wait for the answer.
    if (options.json) printEvent("plan", { plan });
    else show(plan);
    if (!options.yes) {
      if (!process.stdin.isTTY) throw new UsageError("promote changes a running environment and needs confirmation; nothing was copied or deployed", "add --yes to confirm");
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`copy and deploy this to ${target.profileName}? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        err("nothing was copied or deployed");
        return 1;
      }
    }
    const result = await executePromoteIn(source, target, world, plan, { step: (t, w) => reporter.step(t, w), onSecrets: (s) => protectSnapshot(target, s) });
    if (options.json) printResult("promote", { dryRun: false, ...result, revision: result.revision ?? null, from: plan.source, steps: reporter.steps });
    else out(`${colors.green("promoted")}: ${result.url} answers with ${result.image} (revision ${result.revision ?? "?"})`);
    return 0;
  } finally {
    world.dispose();
    reporter.close();
  }
}
