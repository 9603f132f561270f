import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/program.js";

export const ROOT = join(import.meta.dirname, "..", "..");
export const BIN = join(ROOT, "bin", "devstack.js");
export const HELLO = join(ROOT, "examples", "hello");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, in `cwd`, without colours. */
export function devstack(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? HELLO,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...options.env },
    input: options.input ?? "",
    encoding: "utf8",
    timeout: options.timeoutMs ?? 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The same as devstack(), without blocking: for runs that must overlap. */
export function devstackAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? HELLO,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** One line of `--json` output: an event, the result or the error. */
export type JsonLine = { type: "event"; event: string; [field: string]: unknown } | { type: "result"; command: string; [field: string]: unknown } | { type: "error"; kind: string; message: string; fix: string | null; issues: unknown[]; exitCode: number };

/** Every stdout line of a `--json` run, parsed; a line that is not one JSON object fails with the line in the message. */
export function jsonLines(stdout: string): JsonLine[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as JsonLine;
      } catch {
        throw new Error(`not one JSON object per line: ${JSON.stringify(line.slice(0, 200))}`);
      }
    });
}

/** The last line of a `--json` run: its result or its error. */
function lastLine(stdout: string): JsonLine {
  const last = jsonLines(stdout).at(-1);
  if (!last) throw new Error("no output on stdout");
  return last;
}

/** The result of a `--json` run (its last line); fails with the error when the run ended in one. */
export function jsonResult<T = Record<string, unknown>>(stdout: string): T & { type: "result"; command: string } {
  const last = lastLine(stdout);
  if (last.type !== "result") throw new Error(`the run ended in ${JSON.stringify(last)}, not a result`);
  return last as unknown as T & { type: "result"; command: string };
}

/** The error a `--json` run ended in. */
export function jsonError(stdout: string): Extract<JsonLine, { type: "error" }> {
  const last = lastLine(stdout);
  if (last.type !== "error") throw new Error(`the run ended in ${JSON.stringify(last)}, not an error`);
  return last;
}

/** The events of a `--json` run, optionally of one name. */
export function jsonEvents<T = Record<string, unknown>>(stdout: string, event?: string): (T & { type: "event"; event: string })[] {
  return jsonLines(stdout).filter((l): l is Extract<JsonLine, { type: "event" }> => l.type === "event" && (event === undefined || l.event === event)) as unknown as (T & { type: "event"; event: string })[];
}

export interface ProgramCommand {
  /** The words that run it: `secrets sync`. */
  path: string;
  hidden: boolean;
  /** Whether it has subcommands (`secrets`, `jobs`). */
  group: boolean;
  json: boolean;
  command: Command;
}

/** Every command the program declares, walked recursively, in declaration order: the CLI's own list, never one kept by hand. */
export function programCommands(): ProgramCommand[] {
  const program = buildProgram(() => async () => {});
  const walk = (parent: Command, prefix: string[]): ProgramCommand[] =>
    parent.commands.flatMap((command) => {
      const words = [...prefix, command.name()];
      const hidden = !parent.createHelp().visibleCommands(parent).includes(command);
      const own: ProgramCommand = { path: words.join(" "), hidden, group: command.commands.length > 0, json: command.options.some((o) => o.long === "--json"), command };
      return [own, ...walk(command, words)];
    });
  return walk(program, []);
}
