import { loadConfig } from "../../config/resolve.js";
import { installPlatform, platformInstalled } from "../../deploy/platform.js";
import { clusterAccess } from "../../deploy/target.js";
import { pebbleApiCa } from "../../stack/pebble.js";
import { stackId } from "../../stack/names.js";
import { out } from "../output.js";
import { Reporter } from "../tasks.js";

export async function run(options: { profile?: string; json?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const access = await clusterAccess(config);
  const reporter = Reporter.forOutput(options.json ?? false);
  try {
    const firstInstall = !(await platformInstalled(access.kubeconfig, access.context));
    const ca = config.profile.acme.type === "local" ? await pebbleApiCa(stackId(config)) : undefined;
    await installPlatform(config, access, (t, w) => reporter.step(t, w), { firstInstall, ...(ca ? { acmeCaPem: ca.cert } : {}) });
    if (options.json) out(JSON.stringify({ event: "done", profile: config.profileName, firstInstall, steps: reporter.steps }));
    else out(`platform ${firstInstall ? "installed" : "upgraded"} on ${access.describe}`);
    return 0;
  } finally {
    reporter.close();
    access.dispose();
  }
}
