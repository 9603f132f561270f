import { loadConfig } from "../../config/resolve.js";
import { secretPlan } from "../../secrets/model.js";
import { deliverLocal } from "../../secrets/deliver.js";
import { openStore } from "../../secrets/open-store.js";
import { setCommand, syncSecrets } from "../../secrets/sync.js";
import { colors, out, printResult } from "../output.js";
import { protectSnapshot } from "../protect.js";
import { showStoreNotices } from "./secrets-notices.js";

export async function run(options: { profile?: string; json?: boolean }): Promise<number> {
  showStoreNotices(options.json);
  const started = performance.now();
  const config = loadConfig({ profile: options.profile ?? "local" });
  const store = await openStore(config);
  const result = await syncSecrets(secretPlan(config), store);
  protectSnapshot(config, result.snapshot);
  const delivery = await deliverLocal(config, result.snapshot);
  const ms = Math.round(performance.now() - started);
  const code = result.missingExternal.length > 0 ? 1 : 0;
  if (options.json) {
    printResult("secrets sync", { profile: config.profileName, store: store.location, created: result.created, present: result.present, missingExternal: result.missingExternal, delivery, ms });
    return code;
  }
  if (result.created.length > 0) out(`generated ${result.created.join(", ")}`);
  out(`${result.present.length + result.created.length} secret value(s) in ${store.location} (${ms} ms)`);
  out(delivery.delivered ? `delivered to namespace ${delivery.namespace}: ${delivery.secrets.join(", ")}` : colors.dim(`not delivered to a cluster: ${delivery.reason}`));
  for (const name of result.missingExternal) {
    out(colors.red(`missing external secret ${name}: ${setCommand(name, config.profileName)}`));
  }
  return code;
}
