import { loadConfig } from "../../config/resolve.js";
import { deploy } from "../../deploy/pipeline.js";
import { colors, out } from "../output.js";
import { protectLocalStores, protectSnapshot } from "../protect.js";
import { Reporter } from "../tasks.js";

export async function run(options: { profile?: string; json?: boolean; timeout?: string }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  await protectLocalStores([config]);
  const reporter = Reporter.forOutput(options.json ?? false);
  try {
    const result = await deploy(config, { step: (t, w) => reporter.step(t, w), onSecrets: (s) => protectSnapshot(config, s), ...(options.timeout ? { timeout: options.timeout } : {}) });
    if (options.json) out(JSON.stringify({ event: "done", ...result, steps: reporter.steps }));
    else out(`\n${colors.green("deployed")} ${result.release} revision ${result.revision ?? "?"} to ${config.profileName}: ${result.url} answers (${result.smoke.ms} ms, ${result.smoke.attempts} attempt(s))\n  image ${result.image}`);
    return 0;
  } finally {
    reporter.close();
  }
}
