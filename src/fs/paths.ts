import envPaths from "env-paths";

/**
 * Per-user directories (XDG on Linux, ~/Library on macOS). DEVSTACK_HOME
 * moves them all, which tests use to stay out of the real ones.
 */
export function userDirs(): { config: string; cache: string; data: string; state: string } {
  const home = process.env.DEVSTACK_HOME;
  if (home) return { config: `${home}/config`, cache: `${home}/cache`, data: `${home}/data`, state: `${home}/state` };
  const paths = envPaths("devstack", { suffix: "" });
  return { config: paths.config, cache: paths.cache, data: paths.data, state: paths.log };
}
