import { evaluate, type CheckStatus } from "../../doctor/checks.js";
import { observe } from "../../doctor/observe.js";
import { colors, out, printResult } from "../output.js";

const marks: Record<CheckStatus, string> = {
  ok: colors.green("✓"),
  warn: colors.yellow("!"),
  fail: colors.red("✗"),
  skip: colors.dim("-"),
};

export async function run(options: { json?: boolean }): Promise<number> {
  const checks = evaluate(await observe());
  const ok = checks.every((c) => c.status !== "fail");
  if (options.json) {
    printResult("doctor", { ok, checks });
  } else {
    for (const check of checks) {
      out(`${marks[check.status]} ${check.title}: ${check.detail}`);
      if (check.fix) out(check.fix.split("\n").map((line) => `    ${colors.cyan("fix:")} ${line}`).join("\n"));
    }
    const failed = checks.filter((c) => c.status === "fail").length;
    const warned = checks.filter((c) => c.status === "warn").length;
    out(ok ? `\n${colors.green("ready")}${warned ? ` (${warned} warning${warned > 1 ? "s" : ""})` : ""}` : `\n${colors.red(`${failed} problem${failed > 1 ? "s" : ""}`)} to fix before \`devstack up\``);
  }
  return ok ? 0 : 1;
}
