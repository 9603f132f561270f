import { loadConfig } from "../../config/resolve.js";
import { UsageError } from "../../errors.js";
import { runRollback } from "../../effects/rollback.js";
import { formatPlan } from "../../flows/plan.js";
import { colors, out, printResult } from "../output.js";
import { Reporter } from "../reporter.js";

export async function run(options: { profile?: string; to?: string; json?: boolean; dryRun?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const to = options.to !== undefined ? Number(options.to) : undefined;
  if (to !== undefined && (!Number.isInteger(to) || to < 1)) throw new UsageError(`--to takes a revision number, not ${options.to}`, "`devstack releases` lists them");
  const reporter = Reporter.forOutput(options.json ?? false);
  try {
    const { plan, result } = await runRollback(config, { step: (t, w) => reporter.step(t, w), dryRun: options.dryRun ?? false, ...(to !== undefined ? { to } : {}) });
    if (!result) {
      if (options.json) printResult("rollback", { dryRun: true, plan });
      else out(formatPlan(plan).join("\n"));
      return 0;
    }
    if (options.json) printResult("rollback", { dryRun: false, profile: config.profileName, revision: result.revision, smoke: result.smoke, steps: reporter.steps });
    else out(`${colors.green("rolled back")} ${config.app.name} in ${config.profileName} to revision ${result.revision}; ${config.url} answers`);
    return 0;
  } finally {
    reporter.close();
  }
}
