import { loadConfig } from "../../config/resolve.js";
import { secretsAndPlatform } from "../../deploy/pipeline.js";
import { clusterAccess } from "../../deploy/target.js";
import { out } from "../output.js";
import { protectSnapshot } from "../protect.js";
import { Reporter } from "../tasks.js";

export async function run(options: { profile?: string; json?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const access = await clusterAccess(config);
  const reporter = Reporter.forOutput(options.json ?? false);
  try {
    // The platform reads secrets too (Alertmanager's SMTP password): the store is synced and delivered first.
    const { platform } = await secretsAndPlatform(config, access, (t, w) => reporter.step(t, w), (s) => protectSnapshot(config, s));
    if (options.json) out(JSON.stringify({ event: "done", profile: config.profileName, platform, steps: reporter.steps }));
    else out(`platform ${platform} on ${access.describe}`);
    return 0;
  } finally {
    reporter.close();
    access.dispose();
  }
}
