import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import ignore from "ignore";
import type { ResolvedConfig } from "../config/resolve.js";
import { APP_FILE } from "../config/project.js";
import type { ChangeKind } from "./loop.js";

export interface ProjectWatcher {
  ready: Promise<void>;
  close(): Promise<void>;
}

/** What a build never sees (.dockerignore) and what the repository ignores (.gitignore) do not trigger a rebuild. */
function watchFilter(contextDir: string): (path: string) => boolean {
  const rules = ignore().add([".git", "node_modules"]);
  for (const file of [".dockerignore", ".gitignore"]) {
    const path = join(contextDir, file);
    if (existsSync(path)) rules.add(readFileSync(path, "utf8"));
  }
  return (path: string) => {
    const rel = relative(contextDir, path).split(sep).join("/");
    return rel !== "" && !rel.startsWith("..") && rules.ignores(rel);
  };
}

/**
 * Watches the build context and the config files. chokidar is loaded only
 * when `up` watches, so no other command pays for it.
 */
export async function watchProject(config: ResolvedConfig, onChange: (path: string, kind: ChangeKind) => void): Promise<ProjectWatcher> {
  const { watch } = await import("chokidar");
  // Every component's build context: a save there rebuilds that component's image (the others keep their tags).
  const contexts = [...new Set(Object.values(config.app.components).flatMap((c) => (c.build ? [resolve(config.projectDir, c.build.context)] : [])))];
  const filters = contexts.map((context) => ({ context, ignored: watchFilter(context) }));
  // A path is ignored when every context that holds it ignores it.
  const ignoredEverywhere = (path: string) => {
    const holding = filters.filter((f) => !relative(f.context, path).startsWith(".."));
    return holding.length > 0 && holding.every((f) => f.ignored(path));
  };
  const configFiles = [join(config.projectDir, APP_FILE), join(config.projectDir, "profiles")];
  const sources = watch(contexts, { ignoreInitial: true, ignored: (path: string) => ignoredEverywhere(path) && !configFiles.some((f) => path.startsWith(f)), awaitWriteFinish: false });
  const settings = watch(configFiles, { ignoreInitial: true });
  const report = (kind: ChangeKind) => (path: string) => onChange(relative(config.projectDir, path), kind);
  for (const event of ["add", "change", "unlink"] as const) {
    sources.on(event, (path: string) => (configFiles.some((f) => path.startsWith(f)) ? undefined : report("source")(path)));
    settings.on(event, report("config"));
  }
  const ready = Promise.all([new Promise<void>((r) => sources.once("ready", () => r())), new Promise<void>((r) => settings.once("ready", () => r()))]).then(() => undefined);
  return {
    ready,
    close: async () => {
      await Promise.all([sources.close(), settings.close()]);
    },
  };
}
