import { createHash } from "node:crypto";

/** What identifies a project: its app's name, its directory, and the instance name of an isolated stack. */
export interface ProjectRef {
  app: { name: string };
  projectDir: string;
  instance?: string | undefined;
}

/** The app name plus a hash of what identifies the project: names its stack, stores and kubeconfig. */
export function projectId(appName: string, projectDir: string): string {
  return `${appName}-${createHash("sha256").update(projectDir).digest("hex").slice(0, 8)}`;
}

/** What identifies a project's stack and stores: its directory, plus the instance name of an isolated stack. */
export function projectKey(config: Pick<ProjectRef, "projectDir" | "instance">): string {
  return config.instance ? `${config.projectDir}#${config.instance}` : config.projectDir;
}

/** Every Docker object of one project carries its id: app name plus a hash of the project path. */
export function stackId(config: ProjectRef): string {
  return projectId(config.app.name, projectKey(config));
}
