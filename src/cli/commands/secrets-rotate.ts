import { loadConfig } from "../../config/resolve.js";
import { secretPlan } from "../../secrets/model.js";
import { openStore } from "../../secrets/open-store.js";
import { rotateSecret } from "../../secrets/sync.js";
import { out, printResult } from "../output.js";
import { protectSnapshot } from "../protect.js";
import { showStoreNotices } from "./secrets-notices.js";

export async function run(options: { profile?: string; json?: boolean }, [name]: string[]): Promise<number> {
  showStoreNotices(options.json);
  const config = loadConfig({ profile: options.profile ?? "local" });
  const store = await openStore(config);
  protectSnapshot(config, await store.read());
  const rotated = await rotateSecret(secretPlan(config), store, name as string);
  protectSnapshot(config, await store.read());
  if (options.json) printResult("secrets rotate", { profile: config.profileName, rotated, store: store.location });
  else out(`${rotated} has a new value; the next deploy rolls the pods that use it`);
  return 0;
}
