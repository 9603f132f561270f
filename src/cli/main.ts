import { CommanderError } from "commander";
import { EXIT_USAGE } from "../errors.js";
import { buildProgram, type Action } from "./program.js";
import { renderError } from "./render-error.js";

function wantsJson(argv: string[]): boolean {
  return argv.includes("--json");
}

/** Runs the CLI and sets process.exitCode; never throws. */
export async function run(argv: string[]): Promise<void> {
  // The AWS SDK prints nine lines about Node.js 20's end of support before any AWS call; `devstack doctor` says it once, as a check.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const dispatch =
    (load: () => Promise<{ run: Action }>) =>
    async (...actionArgs: unknown[]): Promise<void> => {
      // commander passes positional arguments, then the options, then the command.
      const command = actionArgs.at(-1) as { opts(): Record<string, unknown> };
      const positional = actionArgs.slice(0, -2).flat().filter((a) => a !== undefined).map(String);
      const mod = await load();
      const code = await mod.run(command.opts(), positional);
      if (typeof code === "number") process.exitCode = code;
    };
  const program = buildProgram(dispatch);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.excessArguments" && argv[0] === "secrets" && argv[1] === "set") {
        process.stderr.write("values are never taken from arguments (shell history and process lists keep them); nothing was stored.\nfix: pipe it in (`devstack secrets set NAME < file`), use --from-file, or run it on a terminal to be prompted\n");
      }
      const ok = error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help";
      process.exitCode = ok ? 0 : EXIT_USAGE;
      return;
    }
    process.exitCode = renderError(error, wantsJson(argv));
  }
}
