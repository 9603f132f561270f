import { applyObjects, kubeConfig } from "../../cluster/apply.js";
import { storeSecretObjects } from "../../cluster/secret-objects.js";
import { loadConfig } from "../../config/resolve.js";
import { adoptableSecretsNamespace, ensurePlatform } from "../../deploy/platform.js";
import { clusterAccess } from "../../deploy/target.js";
import { secretPlan } from "../../secrets/model.js";
import { openStore } from "../../secrets/open-store.js";
import { requireExternal, secretsVersion, syncSecrets } from "../../secrets/sync.js";
import { stackId } from "../../stack/names.js";
import { pebbleApiCa } from "../../stack/pebble.js";
import { out } from "../output.js";
import { protectSnapshot } from "../protect.js";
import { Reporter } from "../tasks.js";

export async function run(options: { profile?: string; json?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const access = await clusterAccess(config);
  const reporter = Reporter.forOutput(options.json ?? false);
  const step = <T>(t: string, w: () => Promise<T>) => reporter.step(t, w);
  try {
    // The platform reads secrets too (Alertmanager's SMTP password): the store is synced and delivered first.
    const sync = await step("secrets: sync", async () => syncSecrets(secretPlan(config), await openStore(config)));
    protectSnapshot(config, sync.snapshot);
    requireExternal(sync, config.profileName);
    const deliver = async () => {
      if (config.profile.secretStore.type !== "local") return;
      const kc = await kubeConfig(access.kubeconfig, access.context);
      await step("secrets: deliver to namespace devstack-secrets", () => applyObjects(kc, [adoptableSecretsNamespace(), ...storeSecretObjects(config.app.name, sync.snapshot, secretsVersion(sync.snapshot))]));
    };
    const ca = config.profile.acme.type === "local" ? await pebbleApiCa(stackId(config)) : undefined;
    const result = await ensurePlatform(config, access, step, ca ? { acmeCaPem: ca.cert } : {}, deliver);
    if (options.json) out(JSON.stringify({ event: "done", profile: config.profileName, platform: result, steps: reporter.steps }));
    else out(`platform ${result} on ${access.describe}`);
    return 0;
  } finally {
    reporter.close();
    access.dispose();
  }
}
