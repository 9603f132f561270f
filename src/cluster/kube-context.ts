import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { parse } from "yaml";

/** The kubeconfig files kubectl would read: KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigFiles(explicit?: string): string[] {
  if (explicit) return [explicit.replace(/^~(?=$|\/)/, homedir())];
  const fromEnv = process.env.KUBECONFIG;
  if (fromEnv) return fromEnv.split(delimiter).filter(Boolean);
  return [join(homedir(), ".kube", "config")];
}

/** Context names across the files; unreadable files contribute none. */
export function kubeContexts(files: string[]): string[] {
  const names = new Set<string>();
  for (const file of files) {
    if (!existsSync(file)) continue;
    try {
      const doc = parse(readFileSync(file, "utf8")) as { contexts?: { name?: string }[] } | null;
      for (const context of doc?.contexts ?? []) if (context?.name) names.add(context.name);
    } catch {
      // A malformed kubeconfig is reported by the context check as "not found".
    }
  }
  return [...names];
}

/** Whether the standard AWS credential chain has a source to start from. */
export function awsCredentialSources(): string[] {
  const sources: string[] = [];
  const env = process.env;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) sources.push("environment (AWS_ACCESS_KEY_ID)");
  if (env.AWS_PROFILE) sources.push(`profile ${env.AWS_PROFILE} (AWS_PROFILE)`);
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) sources.push("web identity (AWS_WEB_IDENTITY_TOKEN_FILE)");
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) sources.push("container credentials");
  const dir = join(homedir(), ".aws");
  if (existsSync(join(dir, "credentials"))) sources.push("~/.aws/credentials");
  if (existsSync(join(dir, "config"))) sources.push("~/.aws/config");
  return sources;
}
