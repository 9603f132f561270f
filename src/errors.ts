/** Exit codes of the command contract: 1 the operation failed, 2 bad usage or config. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * What kind of failure, for `--json` readers and scripts: `usage` and
 * `config` are the user's input (exit 2); the others name what could not be
 * done. `internal` is left for real bugs.
 */
export type ErrorKind =
  | "usage"
  | "config"
  | "failed"
  | "timeout"
  | "engine"
  | "credentials"
  | "network"
  | "helm"
  | "port-in-use"
  | "not-found"
  | "conflict"
  | "filesystem"
  | "secrets"
  | "interrupted"
  | "internal";

/** A failure the user can act on: what failed, and the next thing to do. */
export class DevstackError extends Error {
  readonly exitCode: number;
  readonly fix: string | undefined;
  readonly kind: ErrorKind;

  constructor(message: string, options: { fix?: string; exitCode?: number; cause?: unknown; kind?: ErrorKind } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DevstackError";
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
    this.fix = options.fix;
    this.kind = options.kind ?? (this.exitCode === EXIT_USAGE ? "usage" : "failed");
  }
}

/**
 * A failure no user can cause or fix: a broken invariant in devstack itself.
 * Reported as kind `internal`, with a request to report it.
 */
export class InternalError extends DevstackError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { kind: "internal", fix: "this is a bug in devstack: please report it with the command you ran (DEVSTACK_DEBUG=1 shows the stack trace)", ...options });
    this.name = "InternalError";
  }
}

export class UsageError extends DevstackError {
  constructor(message: string, fix?: string) {
    super(message, { exitCode: EXIT_USAGE, kind: "usage", ...(fix === undefined ? {} : { fix }) });
    this.name = "UsageError";
  }
}

/** One problem in a config file, located at file:line:column. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted key path, e.g. `service.port` or `jobs.cleanup.schedule`. */
  path: string;
  message: string;
}

export class ConfigError extends DevstackError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], fix?: string) {
    const files = [...new Set(issues.map((i) => i.file))].join(", ");
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(`invalid config in ${files} (${count})`, { exitCode: EXIT_USAGE, kind: "config", ...(fix === undefined ? {} : { fix }) });
    this.name = "ConfigError";
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}
