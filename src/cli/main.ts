import { type Command, CommanderError } from "commander";
import { EXIT_USAGE } from "../errors.js";
import { packageVersion } from "../package-root.js";
import { setLockWaitNotice } from "../process/lock-notice.js";
import { colors, err, printError, printResult } from "./output.js";
import { buildProgram, type Action } from "./program.js";
import { renderError } from "./render-error.js";

/** devstack's own arguments: what follows `--` belongs to the command `devstack test` runs. */
function ownArgs(argv: string[]): string[] {
  const end = argv.indexOf("--");
  return end === -1 ? argv : argv.slice(0, end);
}

function wantsJson(argv: string[]): boolean {
  return ownArgs(argv).includes("--json");
}

/** The words that name a command (`secrets sync`), as far as the program knows them. */
function commandWords(argv: string[], program: Command): string[] {
  const words: string[] = [];
  let at: Command | undefined = program;
  for (const arg of ownArgs(argv)) {
    at = arg.startsWith("-") ? undefined : at?.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!at) break;
    words.push(arg);
  }
  return words;
}

/** Runs the CLI and sets process.exitCode; never throws. */
export async function run(argv: string[]): Promise<void> {
  const json = wantsJson(argv);
  const own = ownArgs(argv);
  // stderr, never stdout: a --json run's stdout stays JSON lines.
  setLockWaitNotice((text) => err(colors.yellow(text)));
  // `--version` is commander's, and prints plain text; with --json it is a result like any other.
  if (json && own.every((arg) => arg.startsWith("-")) && (own.includes("--version") || own.includes("-V"))) {
    printResult("version", { version: packageVersion(), node: process.versions.node });
    return;
  }
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
      const argumentValue = error.code === "commander.excessArguments" && argv[0] === "secrets" && argv[1] === "set";
      if (argumentValue) {
        process.stderr.write("values are never taken from arguments (shell history and process lists keep them); nothing was stored.\nfix: pipe it in (`devstack secrets set NAME < file`), use --from-file, or run it on a terminal to be prompted\n");
      }
      const ok = error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help";
      process.exitCode = ok ? 0 : EXIT_USAGE;
      // commander has said what is wrong on stderr; a --json reader gets it as the last line too.
      if (!ok && json) {
        const words = commandWords(argv, program).join(" ");
        printError({
          kind: "usage",
          message: argumentValue ? "values are never taken from arguments; nothing was stored" : error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " "),
          fix: argumentValue ? "pipe it in (`devstack secrets set NAME < file`) or use --from-file" : `run \`devstack ${words ? `${words} ` : ""}--help\` for usage`,
          issues: [],
          exitCode: EXIT_USAGE,
        });
      }
      return;
    }
    process.exitCode = renderError(error, json);
  }
}
