import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

/**
 * Where a command would be found, as spawn finds it: a path (absolute or
 * with a slash) as given, a bare name on PATH. Undefined when there is no
 * executable file by that name, so a caller can say so before doing work.
 */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes("/")) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    return executable(path) ? path : undefined;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const path = join(dir, command);
    if (executable(path)) return path;
  }
  return undefined;
}
