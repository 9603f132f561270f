import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError, UsageError } from "../errors.js";
import { findExecutable } from "../process/which.js";
import { secretPlan } from "../secrets/model.js";
import type { Snapshot } from "../secrets/store.js";
import { secretStates, setCommand } from "../secrets/sync.js";

// What `devstack run` and `devstack test` check before they do any work for
// the command they are given.

/** A command that cannot start is a typo, not a reason to start services. */
export function requireRunnable(command: string[], example: string): void {
  const name = command[0] as string;
  if (!findExecutable(name)) throw new UsageError(`cannot run ${name}: no such command${name.includes("/") ? "" : " on PATH"}`, `check its spelling, or give its path (e.g. ${example})`);
}

/** A declared external secret never set: the command would run without it. */
export function requireExternalSecrets(config: ResolvedConfig, snapshot: Snapshot, command: string[]): void {
  const missing = secretStates(secretPlan(config), snapshot).filter((s) => s.kind === "external" && s.state === "missing");
  if (missing.length === 0) return;
  throw new DevstackError(`external secret${missing.length > 1 ? "s" : ""} ${missing.map((s) => s.name).join(", ")} never set: ${command[0]} would run without ${missing.length > 1 ? "them" : "it"}`, {
    fix: missing.map((s) => setCommand(s.name, config.profileName)).join("\n"),
    exitCode: 2,
  });
}
