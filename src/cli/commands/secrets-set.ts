import { loadConfig } from "../../config/resolve.js";
import { secretPlan } from "../../secrets/model.js";
import { openStore } from "../../secrets/open-store.js";
import { setSecret } from "../../secrets/sync.js";
import { out, printResult } from "../output.js";
import { protectSnapshot } from "../protect.js";
import { showStoreNotices } from "./secrets-notices.js";
import { readSecretValue } from "../read-secret.js";

export async function run(options: { profile?: string; fromFile?: string; json?: boolean }, [name]: string[]): Promise<number> {
  showStoreNotices(options.json);
  const config = loadConfig({ profile: options.profile ?? "local" });
  const store = await openStore(config);
  const value = await readSecretValue(name as string, options.fromFile);
  const plan = secretPlan(config);
  await setSecret(plan, store, name as string, value);
  protectSnapshot(config, await store.read());
  if (options.json) printResult("secrets set", { profile: config.profileName, set: name, store: store.location });
  else out(`${name} stored in ${store.location}; the next deploy delivers it`);
  return 0;
}
