import { join } from "node:path";
import { userDirs } from "../fs/paths.js";
import { stackId, type ProjectRef } from "./ids.js";

/** What devstack remembers about one local stack (deployed hashes, ACME roots): the user's data dir, never the repo. */
export function stackStateDir(stack: string): string {
  return join(userDirs().data, "stacks", stack);
}

/** Where `devstack up` keeps a project's local cluster credentials: the user's config dir, never the repo. */
export function localKubeconfigPath(config: ProjectRef): string {
  return join(userDirs().config, "clusters", stackId(config), "kubeconfig");
}
