import type { ResolvedConfig } from "./resolve.js";

/** The namespace the app's release lives in: the profile's choice, or the app's name. */
export function appNamespace(config: Pick<ResolvedConfig, "app" | "profile">): string {
  return config.profile.namespace ?? config.app.name;
}
