/**
 * devstack/testing: what an app's own tests need from devstack — an isolated
 * stack of the project (`startStack`), and its resolved config.
 */
import { loadConfig, type ResolvedConfig } from "../config/resolve.js";

export interface ProjectUnderTest {
  name: string;
  profile: string;
  host: string;
  url: string;
  /** The app's resolved plain environment (never secret values). */
  env: Record<string, string>;
  config: ResolvedConfig;
}

export function resolveProject(options: { cwd?: string; profile?: string } = {}): ProjectUnderTest {
  const config = loadConfig(options);
  return { name: config.app.name, profile: config.profileName, host: config.host, url: config.url, env: { ...config.app.env }, config };
}

export { startStack, type MailMessage, type RunningStack, type StartStackOptions } from "./stack.js";
export type { LogLine } from "../logs/loki.js";
