import { loadConfig } from "../../config/resolve.js";
import { planDeployDry, runDeploy } from "../../effects/deploy.js";
import { formatPlan } from "../../flows/plan.js";
import { colors, out, printResult } from "../output.js";
import { stackId } from "../../project/ids.js";
import { withStackLock } from "../../stack/lock.js";
import { protectLocalStores, protectSnapshot } from "../protect.js";
import { Reporter } from "../reporter.js";
import { stackLockOptions } from "../stack-lock.js";

export async function run(options: { profile?: string; json?: boolean; timeout?: string; dryRun?: boolean; wait?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  await protectLocalStores([config]);
  if (options.dryRun) {
    const plan = await planDeployDry(config);
    if (options.json) printResult("deploy", { dryRun: true, plan });
    else out(formatPlan(plan).join("\n"));
    return 0;
  }
  const reporter = Reporter.forOutput(options.json ?? false);
  try {
    const deploy = () => runDeploy(config, { step: (t, w) => reporter.step(t, w), onSecrets: (s) => protectSnapshot(config, s), ...(options.timeout ? { timeout: options.timeout } : {}) });
    // A deploy to the local stack changes it (registry, cluster): one run at a time, like up and down.
    const lock = stackLockOptions(`deploy --profile ${config.profileName}`, options, reporter);
    const result = config.profile.cluster.type === "k3s" ? await withStackLock(stackId(config), lock, deploy) : await deploy();
    for (const s of result.skippedSteps) reporter.note(`skipped ${s}`);
    if (options.json) printResult("deploy", { dryRun: false, ...result, revision: result.revision ?? null, steps: reporter.steps });
    else out(`\n${colors.green("deployed")} ${result.release} revision ${result.revision ?? "?"} to ${config.profileName}: ${result.url} answers (${result.smoke.ms} ms, ${result.smoke.attempts} attempt(s))\n  image ${result.image}`);
    return 0;
  } finally {
    reporter.close();
  }
}
