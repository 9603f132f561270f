import { join } from "node:path";
import type { ResolvedConfig } from "../config/resolve.js";
import { userDirs } from "../fs/paths.js";
import { projectId } from "../secrets/local-store.js";
import { projectKey } from "./names.js";

/** Where `devstack up` keeps a project's local cluster credentials: the user's config dir, never the repo. */
export function localKubeconfigPath(config: Pick<ResolvedConfig, "app" | "projectDir" | "instance">): string {
  return join(userDirs().config, "clusters", projectId(config.app.name, projectKey(config)), "kubeconfig");
}
