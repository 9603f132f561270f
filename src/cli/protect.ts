import { existsSync } from "node:fs";
import type { ResolvedConfig } from "../config/resolve.js";
import { LocalStore } from "../secrets/local-store.js";
import { secretPlan } from "../secrets/model.js";
import type { Snapshot } from "../secrets/store.js";
import { redactorFor } from "../secrets/sync.js";
import { projectKey } from "../project/ids.js";
import { redactOutput } from "./redaction.js";

/** Adds a profile's secret values to the redactor every byte of output passes through. */
export function protectSnapshot(config: ResolvedConfig, snapshot: Snapshot): void {
  redactOutput((redactor) => redactorFor(secretPlan(config), snapshot, redactor));
}

/**
 * For commands that never read secrets themselves (config, diff, render):
 * still redact whatever the local store holds, in case any value reaches the
 * output some other way. Remote stores are not contacted just for this.
 */
export async function protectLocalStores(configs: ResolvedConfig[]): Promise<void> {
  for (const config of configs) {
    if (config.profile.secretStore.type !== "local") continue;
    const store = LocalStore.forProject(config.app.name, projectKey(config), config.profileName);
    if (!existsSync(store.location)) continue;
    try {
      protectSnapshot(config, await store.read());
    } catch {
      // A store that cannot be read holds nothing this command could print.
    }
  }
}
