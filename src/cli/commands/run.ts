import { loadConfig } from "../../config/resolve.js";
import { UsageError } from "../../errors.js";
import { requireExternalSecrets, requireRunnable } from "../child-command.js";
import { runForwarding } from "../../process/child.js";
import { stackId } from "../../project/ids.js";
import { componentEnvironments, hostEnvironment } from "../../stack/environment.js";
import { withStackLock } from "../../stack/lock.js";
import { planLocalStack, upServices } from "../../stack/up-services.js";
import { colors, err } from "../output.js";
import { protectSnapshot } from "../protect.js";
import { stackLockOptions } from "../stack-lock.js";
import { groupValues } from "../../secrets/store.js";

interface RunOptions {
  profile?: string;
  component?: string;
  wait?: boolean;
}

/**
 * `devstack run -- CMD`: CMD on the host with a component's whole
 * environment against the local services — plain values and secrets alike,
 * handed straight to the child (as `doppler run` and `op run` do), never
 * printed, written or put on a command line. The services are brought up
 * first when they are not (every step is safe to repeat), and CMD's exit
 * code is the command's.
 */
export async function run(options: RunOptions, command: string[]): Promise<number> {
  if (command.length === 0) throw new UsageError("no command to run", "put it after --, e.g. `devstack run -- npm start`");
  // Before any work: a command that cannot start is a typo, not a reason to start services.
  requireRunnable(command, "./node_modules/.bin/…");
  const config = loadConfig({ profile: options.profile ?? "local" });
  const names = Object.keys(config.app.components);
  if (options.component !== undefined && !names.includes(options.component)) throw new UsageError(`no component named ${options.component}`, `components in devstack.yaml: ${names.join(", ")}`);
  const component = options.component ?? (names[0] as string);

  const step = async <T>(title: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    err(colors.dim(`  ✓ ${title} (${Math.round(performance.now() - started)} ms)`));
    return result;
  };
  const lock = stackLockOptions("run", options);
  const { endpoints, snapshot } = await withStackLock(stackId(config), lock, async () => {
    const planned = await planLocalStack(config, { cluster: false, requireEngine: true, settlePorts: "remember" });
    return upServices(config, planned, step, { onSecrets: (s) => protectSnapshot(config, s) });
  });

  requireExternalSecrets(config, snapshot, command);
  const secrets = groupValues(snapshot, "app");
  const env = names.length > 1 ? (componentEnvironments(config, endpoints, secrets)[component] ?? {}) : hostEnvironment(config, endpoints, secrets);
  err(colors.dim(`running ${command.join(" ")} with the environment of ${component} (${Object.keys(env).length} variables)`));
  return runForwarding(command, { ...process.env, ...env }).catch((error: Error) => {
    throw new UsageError(`cannot run ${command[0]}: ${error.message}`, "check the command and its permissions");
  });
}
