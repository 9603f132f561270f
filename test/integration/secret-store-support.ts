import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalStore } from "../../src/secrets/local-store.js";
import type { Snapshot } from "../../src/secrets/store.js";
import { devstack, devstackAsync, HELLO, type CliResult } from "../support/cli.js";

/** A copy of examples/hello, with extra lines appended under `secrets:`. */
export function makeProject(extraSecrets = ""): string {
  const dir = mkdtempSync(join(tmpdir(), "devstack-store-project-"));
  for (const f of ["devstack.yaml", "Dockerfile", "package.json", "profiles"]) cpSync(join(HELLO, f), join(dir, f), { recursive: true });
  if (extraSecrets) {
    const yaml = readFileSync(join(dir, "devstack.yaml"), "utf8").replace(/^secrets:\n/m, `secrets:\n${extraSecrets}`);
    writeFileSync(join(dir, "devstack.yaml"), yaml);
  }
  return dir;
}

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), "devstack-store-home-"));
}

/** Runs the CLI in a project with its own DEVSTACK_HOME and the keychain off (the file is what runs here). */
export function cli(home: string, cwd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  return devstack(args, { cwd, env: { DEVSTACK_HOME: home, DEVSTACK_KEYCHAIN: "off", ...options.env }, ...(options.input === undefined ? {} : { input: options.input }) });
}

export function cliAsync(home: string, cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return devstackAsync(args, { cwd, env: { DEVSTACK_HOME: home, DEVSTACK_KEYCHAIN: "off", ...env } });
}

/** The store a CLI run with this home wrote for the project. */
export async function readStore(home: string, cwd: string, profile = "local"): Promise<Snapshot> {
  const saved = { home: process.env.DEVSTACK_HOME, keychain: process.env.DEVSTACK_KEYCHAIN };
  process.env.DEVSTACK_HOME = home;
  process.env.DEVSTACK_KEYCHAIN = "off";
  try {
    return await LocalStore.forProject("hello", cwd, profile).read();
  } finally {
    for (const [name, value] of [["DEVSTACK_HOME", saved.home], ["DEVSTACK_KEYCHAIN", saved.keychain]] as const) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  }
}

export function storePath(home: string, cwd: string, profile = "local"): LocalStore {
  const saved = process.env.DEVSTACK_HOME;
  process.env.DEVSTACK_HOME = home;
  try {
    return LocalStore.forProject("hello", cwd, profile);
  } finally {
    if (saved === undefined) delete process.env.DEVSTACK_HOME;
    else process.env.DEVSTACK_HOME = saved;
  }
}

/** The --json result of a run whose stdout may begin with one-line event objects. */
export function result<T>(stdout: string): T {
  return JSON.parse(
    stdout
      .split("\n")
      .filter((l) => !l.startsWith('{"type":"event"'))
      .join("\n"),
  ) as T;
}

/** Why a small file system cannot be mounted here, or undefined when it can (root with CAP_SYS_ADMIN). */
export function mountMissing(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  const dir = mkdtempSync(join(tmpdir(), "devstack-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "pipe" });
    execFileSync("umount", [dir], { stdio: "pipe" });
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs (needs root with CAP_SYS_ADMIN): ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function mount(args: string[]): void {
  execFileSync("mount", args, { stdio: "pipe" });
}

export function umount(dir: string): void {
  try {
    execFileSync("umount", [dir], { stdio: "pipe" });
  } catch {
    // Not mounted (the test failed before it mounted).
  }
}
