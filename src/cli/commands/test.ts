import { loadConfig } from "../../config/resolve.js";
import { UsageError } from "../../errors.js";
import { requireExternalSecrets, requireRunnable } from "../child-command.js";
import { runForwarding } from "../../process/child.js";
import { openStore } from "../../secrets/open-store.js";
import { startStack } from "../../testing/stack.js";
import { colors, err } from "../output.js";
import { protectSnapshot } from "../protect.js";

/**
 * `devstack test -- CMD`: an isolated stack, CMD run with its URLs in the
 * environment, the stack removed, and CMD's exit code returned.
 */
export async function run(options: { profile?: string; servicesOnly?: boolean }, command: string[]): Promise<number> {
  if (command.length === 0) throw new UsageError("no command to run", "put it after --, e.g. `devstack test -- npm test`");
  // Before a whole stack starts: a command that cannot run, or a secret it would run without.
  requireRunnable(command, "./node_modules/.bin/vitest");
  const config = loadConfig({ profile: options.profile ?? "local" });
  requireExternalSecrets(config, await (await openStore(config)).read(), command);
  const started = performance.now();
  err(colors.dim(`starting an isolated stack${options.servicesOnly ? " (services only)" : ""}…`));
  // Ctrl-C while the stack starts: it finishes starting, then is removed at once, so nothing is left behind.
  let interrupted = false;
  const onStartInterrupt = () => {
    interrupted = true;
    err(colors.yellow("interrupted: removing the stack as soon as it is up"));
  };
  process.on("SIGINT", onStartInterrupt);
  const stack = await startStack({
    ...(options.profile ? { profile: options.profile } : {}),
    cluster: !options.servicesOnly,
    onStep: (title, ms) => err(colors.dim(`  ✓ ${title} (${ms} ms)`)),
  }).finally(() => process.off("SIGINT", onStartInterrupt));
  process.off("SIGINT", onStartInterrupt);
  if (interrupted) {
    await stack.stop();
    err(colors.dim(`stack ${stack.name} removed`));
    return 130;
  }
  protectSnapshot(stack.config, await (await openStore(stack.config)).read());
  err(colors.dim(`stack ${stack.name} up in ${Math.round(performance.now() - started)} ms; running: ${command.join(" ")}`));
  let code: number;
  try {
    // Exit codes as a shell reports them: 128 + the signal that ended CMD.
    code = await runForwarding(command, { ...process.env, ...stack.env }).catch((error: Error) => {
      throw new UsageError(`cannot run ${command[0]}: ${error.message}`);
    });
  } finally {
    await stack.stop();
    err(colors.dim(`stack ${stack.name} removed`));
  }
  return code;
}
