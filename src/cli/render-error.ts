import { ConfigError, DevstackError, EXIT_FAILURE, formatIssue } from "../errors.js";
import { describeOsError } from "../fs/os-errors.js";
import { colors, err, printJson } from "./output.js";

/** Prints a failure the way the command contract says and returns the exit code. */
export function renderError(error: unknown, json: boolean): number {
  const debug = process.env.DEVSTACK_DEBUG === "1";
  if (error instanceof DevstackError) {
    const issues = error instanceof ConfigError ? error.issues : [];
    if (json) {
      printJson({ ok: false, error: { message: error.message, fix: error.fix ?? null, issues } });
    } else {
      err(`${colors.red("error:")} ${error.message}`);
      for (const issue of issues) err(`  ${formatIssue(issue)}`);
      if (error.fix) err(`${colors.cyan("fix:")} ${error.fix}`);
    }
    if (debug && error.stack) err(error.stack);
    return error.exitCode;
  }
  const os = describeOsError(error);
  if (os) return renderError(new DevstackError(os.message, { fix: os.fix }), json);
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    printJson({ ok: false, error: { message: `unexpected failure: ${message}`, fix: "run again with DEVSTACK_DEBUG=1 and report the output", issues: [] } });
  } else {
    err(`${colors.red("error:")} unexpected failure: ${message}`);
    err(debug && error instanceof Error && error.stack ? error.stack : `${colors.cyan("fix:")} run again with DEVSTACK_DEBUG=1 to see the stack trace, and report it`);
  }
  return EXIT_FAILURE;
}
