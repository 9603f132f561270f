import { ConfigError, DevstackError, EXIT_FAILURE, formatIssue, type ConfigIssue } from "../errors.js";
import { describeOsError } from "../fs/os-errors.js";
import { colors, err, printError } from "./output.js";

const INTERNAL_FIX = "run again with DEVSTACK_DEBUG=1 and report the output";

/** Prints a failure the way the command contract says and returns the exit code. */
export function renderError(error: unknown, json: boolean): number {
  const debug = process.env.DEVSTACK_DEBUG === "1";
  if (error instanceof DevstackError) {
    const issues: ConfigIssue[] = error instanceof ConfigError ? error.issues : [];
    if (json) {
      printError({ kind: error.kind, message: error.message, fix: error.fix ?? null, issues, exitCode: error.exitCode });
    } else {
      err(`${colors.red("error:")} ${error.message}`);
      for (const issue of issues) err(`  ${formatIssue(issue)}`);
      if (error.fix) err(`${colors.cyan("fix:")} ${error.fix}`);
    }
    if (debug && error.stack) err(error.stack);
    return error.exitCode;
  }
  const os = describeOsError(error);
  if (os) return renderError(new DevstackError(os.message, { fix: os.fix, kind: "filesystem", cause: error }), json);
  const message = `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
  if (json) {
    printError({ kind: "internal", message, fix: INTERNAL_FIX, issues: [], exitCode: EXIT_FAILURE });
    if (debug && error instanceof Error && error.stack) err(error.stack);
  } else {
    err(`${colors.red("error:")} ${message}`);
    err(debug && error instanceof Error && error.stack ? error.stack : `${colors.cyan("fix:")} run again with DEVSTACK_DEBUG=1 to see the stack trace, and report it`);
  }
  return EXIT_FAILURE;
}
