import { loadConfig } from "../../config/resolve.js";
import { runPlatform } from "../../effects/platform.js";
import { formatPlan } from "../../flows/plan.js";
import { out, printResult } from "../output.js";
import { protectLocalStores, protectSnapshot } from "../protect.js";
import { Reporter } from "../reporter.js";

export async function run(options: { profile?: string; json?: boolean; dryRun?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  await protectLocalStores([config]);
  const reporter = Reporter.forOutput(options.json ?? false);
  try {
    // The platform reads secrets too (Alertmanager's SMTP password): the store is synced and delivered first.
    const { plan, platform } = await runPlatform(config, { step: (t, w) => reporter.step(t, w), dryRun: options.dryRun ?? false, onSecrets: (s) => protectSnapshot(config, s) });
    if (options.dryRun || !platform) {
      if (options.json) printResult("platform", { dryRun: true, plan });
      else out(formatPlan(plan).join("\n"));
      return 0;
    }
    if (options.json) printResult("platform", { dryRun: false, profile: config.profileName, platform, plan, steps: reporter.steps });
    else out(`platform ${platform} on ${plan.target}`);
    return 0;
  } finally {
    reporter.close();
  }
}
