import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";
import { UsageError } from "../errors.js";
import { suggestion } from "./suggest.js";

export const APP_FILE = "devstack.yaml";

/** The built-in profiles users start from ship with the package. */
const BUILTIN_PROFILES_DIR = join(PACKAGE_ROOT, "profiles");

/** The nearest directory at or above `start` that holds devstack.yaml. */
export function findProjectDir(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, APP_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new UsageError(
        `no ${APP_FILE} in ${resolve(start)} or any directory above it`,
        "run `devstack init` in your app's directory to create one",
      );
    }
    dir = parent;
  }
}

function profileNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length));
}

export function availableProfiles(projectDir: string): string[] {
  return [...new Set([...profileNames(join(projectDir, "profiles")), ...profileNames(BUILTIN_PROFILES_DIR)])].sort();
}

export interface ProfileFile {
  path: string;
  source: "project" | "builtin";
}

/** A project's own profiles/<name>.yaml wins over the built-in one of the same name. */
export function findProfileFile(projectDir: string, name: string): ProfileFile {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new UsageError(`invalid profile name "${name}": use lowercase letters, digits and '-'`);
  }
  const own = join(projectDir, "profiles", `${name}.yaml`);
  if (existsSync(own)) return { path: own, source: "project" };
  const builtin = join(BUILTIN_PROFILES_DIR, `${name}.yaml`);
  if (existsSync(builtin)) return { path: builtin, source: "builtin" };
  const known = availableProfiles(projectDir);
  throw new UsageError(
    `no profile "${name}"${suggestion(name, known)}: looked for profiles/${name}.yaml in ${projectDir} and among the built-in profiles`,
    `use one of: ${known.join(", ")}; or create profiles/${name}.yaml`,
  );
}
