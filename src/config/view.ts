import { relative } from "node:path";
import type { ResolvedConfig } from "./resolve.js";
import { derivedVariables } from "./services.js";

export interface SecretSummary {
  name: string;
  kind: "generate" | "external" | "derived";
  description?: string;
  /** For generated secrets, the recipe; for derived ones, where the value comes from. */
  recipe?: unknown;
  from?: string;
}

/** Declared secrets and those derived from other config, by name; values never appear here. */
export function secretSummaries(config: Pick<ResolvedConfig, "app">): SecretSummary[] {
  const list: SecretSummary[] = Object.entries(config.app.secrets).map(([name, spec]) => ({
    name,
    kind: spec.generate ? "generate" : "external",
    ...(spec.description === undefined ? {} : { description: spec.description }),
    ...(spec.generate ? { recipe: spec.generate } : {}),
  }));
  for (const v of derivedVariables(config.app)) {
    list.push({
      name: v.name,
      kind: "derived",
      description: "url" in v.format ? `connection URL of the app's ${v.service}` : `the ${v.service}'s ${v.format.part}`,
      from: v.service,
    });
  }
  return list.sort((a, b) => a.name.localeCompare(b.name));
}

/** The stable shape `devstack config --json` prints and `devstack diff` compares. */
export function configView(config: ResolvedConfig, cwd = process.cwd()) {
  return {
    profile: {
      name: config.profileName,
      source: config.profileSource,
      file: config.profileSource === "project" ? relative(cwd, config.files.profile) : config.files.profile,
      ...config.profile,
    },
    host: config.host,
    url: config.url,
    app: config.app,
    secrets: secretSummaries(config),
  };
}

export type ConfigView = ReturnType<typeof configView>;
