import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { errorLine, eventLine, resultSchemas, stepEvent } from "../../src/cli/results/index.js";
import { logEvent } from "../../src/cli/results/logs.js";
import { rowEvent } from "../../src/cli/results/export.js";
import { outputEvent } from "../../src/cli/results/jobs-run.js";
import { devstack, jsonLines, programCommands, type CliResult, type JsonLine } from "../support/cli.js";
import { tempDirs } from "../support/temp.js";

// The --json contract (README "Output contract"): every stdout line is one JSON
// object; events first, then exactly one last line, the result or the error.
// Here every command that runs without a cluster or a pullable image is run for
// real, and what it prints is checked against src/cli/results/.

const tempDir = tempDirs();

const home = tempDir("devstack-contract-home-");
const env = { DEVSTACK_HOME: home, DEVSTACK_KEYCHAIN: "off" };
const noEngine = { ...env, DOCKER_HOST: "unix:///nonexistent/docker.sock" };

/** Event shapes with a schema of their own; any other event only has to be `{"type":"event","event":...}`. */
const eventSchemas: Record<string, z.ZodType> = { step: stepEvent, log: logEvent, output: outputEvent, row: rowEvent };

function explain(schema: z.ZodType, value: unknown): string | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? undefined : `${z.prettifyError(parsed.error)}\nin ${JSON.stringify(value).slice(0, 600)}`;
}

/** Checks a run against the contract and returns its last line. */
function contract(r: CliResult): JsonLine {
  let lines: JsonLine[];
  try {
    lines = jsonLines(r.stdout);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nstderr: ${r.stderr.slice(0, 400)}`, { cause: error });
  }
  expect(lines.length, `no JSON line on stdout; stderr: ${r.stderr.slice(0, 400)}`).toBeGreaterThan(0);
  const last = lines.at(-1) as JsonLine;
  for (const line of lines.slice(0, -1)) {
    expect(line.type, `only the last line may be a result or an error: ${JSON.stringify(line)}`).toBe("event");
  }
  for (const line of lines) {
    expect(["event", "result", "error"]).toContain(line.type);
    if (line.type === "event") expect(explain(eventSchemas[line.event] ?? eventLine, line)).toBeUndefined();
  }
  if (last.type === "result") {
    const schema = resultSchemas[last.command];
    expect(schema, `no result schema for "${last.command}" in src/cli/results/index.ts`).toBeDefined();
    expect(explain(schema as z.ZodType, last)).toBeUndefined();
  } else {
    expect(last.type, "the last line is a result or an error").toBe("error");
    expect(explain(errorLine, last)).toBeUndefined();
    expect(last.exitCode, "the error line carries the process's exit code").toBe(r.code);
  }
  return last;
}

interface Case {
  /** The command as the program names it, for the coverage check. */
  command: string;
  args: string[];
  cwd?: string | (() => string);
  env?: NodeJS.ProcessEnv;
  input?: string;
  /**
   * The result's exit code, or the error's exit code, what its message says
   * and, where this layer decides it (usage, config), its kind; other kinds
   * are the failing module's to choose, but never "internal".
   */
  result?: { code: number | "any" };
  error?: { kind?: string; code: number; says: RegExp };
}

const initDir = tempDir("devstack-contract-init-");
writeFileSync(join(initDir, "package.json"), '{"name":"contract-shop"}');
writeFileSync(join(initDir, "Dockerfile"), "FROM node:22-slim\nEXPOSE 3000\n");
const badDir = tempDir("devstack-contract-bad-");
writeFileSync(join(badDir, "devstack.yaml"), "name: shop\nservice:\n  prot: 8080\n");
const keyBackup = join(home, "key-backup.txt");
const notRunning = /the local cluster of hello is not running/;

// In order: init makes the project that status and down use; the secrets cases build on each other.
const cases: Case[] = [
  { command: "version", args: ["--version", "--json"], result: { code: 0 } },
  { command: "init", args: ["init", "--json"], cwd: initDir, result: { code: 0 } },
  { command: "init", args: ["init", "--json"], cwd: initDir, error: { code: 1, says: /already exist/ } },
  { command: "init", args: ["init", "--port", "http", "--json"], cwd: () => tempDir("devstack-contract-port-"), error: { kind: "usage", code: 2, says: /--port "http": expected a port number/ } },
  { command: "status", args: ["status", "--json"], cwd: initDir, result: { code: 0 } },
  { command: "status", args: ["status", "--json"], cwd: initDir, env: noEngine, error: { code: 1, says: /no Docker engine answers/ } },
  { command: "down", args: ["down", "--json"], cwd: initDir, result: { code: 0 } },
  { command: "down", args: ["down", "--purge", "--json"], cwd: initDir, env: noEngine, error: { kind: "usage", code: 2, says: /--purge deletes the stack's volumes/ } },
  { command: "config", args: ["config", "--json"], result: { code: 0 } },
  { command: "config", args: ["config", "--profile", "prod", "--json"], result: { code: 0 } },
  { command: "config", args: ["config", "--json"], cwd: badDir, error: { kind: "config", code: 2, says: /invalid config in .*devstack.yaml/ } },
  { command: "config", args: ["config", "--profle", "prod", "--json"], error: { kind: "usage", code: 2, says: /unknown option '--profle'/ } },
  { command: "diff", args: ["diff", "local", "prod", "--json"], result: { code: 0 } },
  { command: "render", args: ["render", "--json"], result: { code: 0 } },
  { command: "doctor", args: ["doctor", "--json"], result: { code: "any" } },
  { command: "doctor", args: ["doctor", "--json"], env: noEngine, result: { code: 1 } },
  { command: "trust", args: ["trust", "--print", "--json"], error: { code: 1, says: /has not issued anything yet/ } },
  { command: "secrets ls", args: ["secrets", "ls", "--json"], result: { code: 0 } },
  { command: "secrets sync", args: ["secrets", "sync", "--json"], result: { code: 1 } },
  { command: "secrets set", args: ["secrets", "set", "STRIPE_API_KEY", "--json"], input: "sk_test_contract_0123456789\n", result: { code: 0 } },
  { command: "secrets set", args: ["secrets", "set", "SESSION_KEY", "--json"], input: "typed-by-a-human-0123\n", error: { kind: "usage", code: 2, says: /generated by devstack/ } },
  { command: "secrets set", args: ["secrets", "set", "STRIPE_API_KEY", "sk_on_the_command_line", "--json"], error: { kind: "usage", code: 2, says: /never taken from arguments/ } },
  { command: "secrets sync", args: ["secrets", "sync", "--json"], result: { code: 0 } },
  { command: "secrets rotate", args: ["secrets", "rotate", "SESSION_KEY", "--json"], result: { code: 0 } },
  { command: "secrets key", args: ["secrets", "key", "--json"], result: { code: 0 } },
  { command: "secrets key", args: ["secrets", "key", "--export", keyBackup, "--json"], result: { code: 0 } },
  { command: "secrets key", args: ["secrets", "key", "--export", "-", "--json"], error: { kind: "usage", code: 2, says: /cannot be combined with --json/ } },
  { command: "export", args: ["export", "--json"], error: { code: 1, says: /database/ } },
  { command: "export", args: ["export", "--dry-run", "--json"], error: { code: 1, says: /database/ } },
  { command: "releases", args: ["releases", "--json"], error: { code: 1, says: notRunning } },
  { command: "logs", args: ["logs", "--json"], error: { code: 1, says: notRunning } },
  { command: "logs", args: ["logs", "--level", "loud", "--json"], error: { kind: "usage", code: 2, says: /--level loud is not a level/ } },
  { command: "jobs ls", args: ["jobs", "ls", "--json"], error: { code: 1, says: notRunning } },
  { command: "jobs run", args: ["jobs", "run", "cleanup", "--json"], error: { code: 1, says: notRunning } },
  { command: "jobs run", args: ["jobs", "run", "nope", "--json"], error: { kind: "usage", code: 2, says: /no job named nope/ } },
  { command: "alerts test", args: ["alerts", "test", "error-burst", "--json"], error: { code: 1, says: notRunning } },
  { command: "deploy", args: ["deploy", "--json"], error: { code: 1, says: notRunning } },
  { command: "rollback", args: ["rollback", "--json"], error: { code: 1, says: notRunning } },
  { command: "platform", args: ["platform", "--json"], error: { code: 1, says: notRunning } },
  { command: "promote", args: ["promote", "--profile", "prod", "--from", "local", "--yes", "--json"], error: { code: 1, says: /cluster/ } },
  { command: "(none)", args: ["confg", "--json"], error: { kind: "usage", code: 2, says: /unknown command 'confg'/ } },
];

// Checked once the command's result schema is listed in src/cli/results/index.ts (the lead adds these five).
const pending: Case[] = [
  { command: "deploy", args: ["deploy", "--dry-run", "--json"], result: { code: 0 } },
  { command: "platform", args: ["platform", "--dry-run", "--json"], result: { code: 0 } },
  { command: "rollback", args: ["rollback", "--dry-run", "--json"], result: { code: 0 } },
  { command: "promote", args: ["promote", "--profile", "prod", "--from", "local", "--dry-run", "--json"], result: { code: 0 } },
  { command: "up", args: ["up", "--dry-run", "--services-only", "--json"], env: noEngine, result: { code: 0 } },
  { command: "up", args: ["up", "--services-only", "--json"], env: noEngine, error: { code: 1, says: /no Docker engine answers/ } },
  { command: "up", args: ["up", "--profile", "prod", "--dry-run", "--json"], env: noEngine, error: { code: 1, says: /runs on eks, not the local stack/ } },
];

const schemaHasJson = programCommands().find((c) => c.path === "schema")?.json === true;

function run(c: Case): CliResult {
  const cwd = typeof c.cwd === "function" ? c.cwd() : c.cwd;
  return devstack(c.args, { env: { ...env, ...c.env }, ...(cwd ? { cwd } : {}), ...(c.input === undefined ? {} : { input: c.input }), timeoutMs: 120_000 });
}

function check(c: Case): void {
  const r = run(c);
  const last = contract(r);
  if (c.result) {
    expect(last, `expected a result, got ${JSON.stringify(last).slice(0, 400)}; stderr: ${r.stderr.slice(0, 400)}`).toMatchObject({ type: "result", command: c.command });
    if (c.result.code !== "any") expect(r.code).toBe(c.result.code);
    else expect([0, 1]).toContain(r.code);
  } else if (c.error) {
    expect(last, `expected an error, got ${JSON.stringify(last).slice(0, 400)}`).toMatchObject({ type: "error", exitCode: c.error.code, ...(c.error.kind ? { kind: c.error.kind } : {}) });
    expect(r.code).toBe(c.error.code);
    if (last.type === "error") {
      expect(last.message).toMatch(c.error.says);
      expect(last.message).not.toMatch(/\n\s+at /);
      expect(last.kind, "an expected failure is never an internal one").not.toBe("internal");
      expect(last.fix, "an error says what to do next").toEqual(expect.any(String));
    }
  }
}

describe("every --json line is one JSON object, and the last one is the result or the error", () => {
  for (const c of cases) {
    const what = c.result ? `a ${c.command} result (exit ${c.result.code})` : `${c.error?.kind ? `a ${c.error.kind}` : "an"} error (exit ${c.error?.code})`;
    it(`devstack ${c.args.join(" ")} ends in ${what}`, () => check(c), 120_000);
  }

  for (const c of pending) {
    const what = c.result ? `a ${c.command} result` : "an error";
    it.skipIf(!(c.command in resultSchemas))(`devstack ${c.args.join(" ")} ends in ${what} (once its schema is listed)`, () => check(c), 120_000);
  }

  it.skipIf(!schemaHasJson)("devstack schema --json ends in the schema as a result", () => {
    check({ command: "schema", args: ["schema", "--json"], result: { code: 0 } });
    check({ command: "schema", args: ["schema", "--out", tempDir("devstack-contract-schema-"), "--json"], result: { code: 0 } });
  });

  it("a failure with DEVSTACK_DEBUG=1 still ends in one error line on stdout (the trace goes to stderr)", () => {
    const r = devstack(["config", "--json"], { cwd: badDir, env: { ...env, DEVSTACK_DEBUG: "1" } });
    expect(contract(r)).toMatchObject({ type: "error", kind: "config", issues: [{ line: 2 }, { line: 3, column: 3, path: "service.prot" }] });
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it("store notices and Reporter steps are events, not free text", () => {
    const fresh = { DEVSTACK_HOME: tempDir("devstack-contract-fresh-"), DEVSTACK_KEYCHAIN: "off" };
    const r = devstack(["secrets", "sync", "--json"], { env: fresh });
    contract(r);
    const events = jsonLines(r.stdout).filter((l) => l.type === "event");
    expect(events.map((e) => (e.type === "event" ? e.event : "")).sort()).toEqual(["secret-store-created", "secret-store-key-created"]);
  });

  it("covers every command that has --json", () => {
    const covered = new Set([...cases, ...pending].map((c) => c.command));
    const withJson = programCommands().filter((c) => c.json && c.path !== "schema").map((c) => c.path);
    expect(withJson.filter((path) => !covered.has(path))).toEqual([]);
    // Every command with a result schema is one the program has, and the other way round (eks-token and test print no result).
    const named = new Set(programCommands().map((c) => c.path));
    expect(Object.keys(resultSchemas).filter((command) => command !== "version" && !named.has(command))).toEqual([]);
  });
});
