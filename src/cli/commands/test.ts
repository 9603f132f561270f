import { spawn } from "node:child_process";
import { UsageError } from "../../errors.js";
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
    code = await new Promise<number>((resolve, reject) => {
      const child = spawn(command[0] as string, command.slice(1), { stdio: "inherit", env: { ...process.env, ...stack.env } });
      const forward = () => child.kill("SIGINT");
      process.once("SIGINT", forward);
      child.on("error", (error) => reject(new UsageError(`cannot run ${command[0]}: ${error.message}`)));
      child.on("close", (exit, signal) => {
        process.off("SIGINT", forward);
        resolve(exit ?? (signal ? 128 : 1));
      });
    });
  } finally {
    await stack.stop();
    err(colors.dim(`stack ${stack.name} removed`));
  }
  return code;
}
