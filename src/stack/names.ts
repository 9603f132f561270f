import type { ResolvedConfig } from "../config/resolve.js";
import { projectId } from "../secrets/local-store.js";

export const LABEL_PROJECT = "devstack.project";
export const LABEL_COMPONENT = "devstack.component";
export const LABEL_SPEC = "devstack.spec";
export const LABEL_APP = "devstack.app";

/** Every Docker object of one project carries its id: app name plus a hash of the project path. */
export function stackId(config: Pick<ResolvedConfig, "app" | "projectDir" | "instance">): string {
  return projectId(config.app.name, projectKey(config));
}

/** What identifies a project's stack and stores: its directory, plus the instance name of an isolated stack. */
export function projectKey(config: Pick<ResolvedConfig, "projectDir" | "instance">): string {
  return config.instance ? `${config.projectDir}#${config.instance}` : config.projectDir;
}

export const containerName = (stack: string, component: string) => `devstack-${stack}-${component}`;
export const volumeName = (stack: string, component: string) => `devstack-${stack}-${component}`;
export const networkName = (stack: string) => `devstack-${stack}`;
