import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readStoreIn } from "../support/store.js";
import { BIN, devstack, HELLO } from "../support/cli.js";
import { skipWithout } from "../support/engines.js";

const home = mkdtempSync(join(tmpdir(), "devstack-secrets-home-"));
const env = { DEVSTACK_HOME: home };
afterAll(() => rmSync(home, { recursive: true, force: true }));

const readStore = () => readStoreIn(home, HELLO);

/** The --json result of a run whose stdout may start with one-line event objects. */
function result<T>(stdout: string): T {
  const lines = stdout.split("\n");
  const body = lines.filter((l) => !l.startsWith('{"type":"event"')).join("\n");
  return JSON.parse(body) as T;
}

function events(stdout: string): { event: string; where: string; message: string }[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith('{"type":"event"'))
    .map((l) => JSON.parse(l) as { event: string; where: string; message: string });
}

function runAsync(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: HELLO, env: { ...process.env, ...env, ...extraEnv, NO_COLOR: "1" } });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.on("close", (code, signal) => resolve({ code, signal, stdout }));
  });
}

describe("devstack secrets in examples/hello", () => {
  it("lists every declared secret as missing before the first sync", () => {
    const r = devstack(["secrets", "ls", "--json"], { env });
    expect(r.code).toBe(0);
    const states = (JSON.parse(r.stdout) as { secrets: { name: string; kind: string; state: string }[] }).secrets;
    expect(states.map((s) => `${s.name}:${s.kind}:${s.state}`)).toEqual([
      "SESSION_KEY:generate:missing",
      "WEBHOOK_SIGNING_KEY:generate:missing",
      "JWT_PRIVATE_KEY:generate:missing",
      "STRIPE_API_KEY:external:missing",
      "database.username:generate:missing",
      "database.password:generate:missing",
      "platform.postgres-superuser-password:generate:missing",
      "platform.SMTP_PASSWORD:generate:missing",
      "platform.GRAFANA_ADMIN_PASSWORD:generate:missing",
      "EXPORT_S3_ACCESS_KEY_ID:generate:missing",
      "EXPORT_S3_SECRET_ACCESS_KEY:generate:missing",
      "DATABASE_URL:derived:missing",
    ]);
  });

  it("two concurrent syncs produce one value per secret, and the fresh project is told once that its key and store were made", async () => {
    const [a, b] = await Promise.all([runAsync(["secrets", "sync", "--json"]), runAsync(["secrets", "sync", "--json"])]);
    const created = [a, b].map((r) => result<{ created: string[] }>(r.stdout).created);
    // Exactly one run generated the values; the other found them.
    expect(created.map((c) => c.length).sort()).toEqual([0, 10]);
    expect([a.code, b.code]).toEqual([1, 1]); // STRIPE_API_KEY is still missing
    const told = [...events(a.stdout), ...events(b.stdout)];
    expect(told.map((e) => e.event).sort()).toEqual(["secret-store-created", "secret-store-key-created"]);
    expect(told.find((e) => e.event === "secret-store-key-created")).toMatchObject({ where: join(home, "config", "age-identity.txt"), message: expect.stringMatching(/back it up now with `devstack secrets key --export FILE`/) });
    const again = devstack(["secrets", "sync"], { env });
    expect(again.stderr).not.toMatch(/created the secret store/);
  });

  it("sync again changes nothing", async () => {
    const before = await readStore();
    const r = devstack(["secrets", "sync", "--json"], { env });
    expect(result<{ created: string[] }>(r.stdout).created).toEqual([]);
    expect(await readStore()).toEqual(before);
  });

  it("set reads an external secret from stdin and makes it present", async () => {
    const r = devstack(["secrets", "set", "STRIPE_API_KEY"], { env, input: "sk_live_from_stdin_0123456789\n" });
    expect(r.code).toBe(0);
    expect((await readStore()).app.STRIPE_API_KEY?.value).toBe("sk_live_from_stdin_0123456789");
    const ls = JSON.parse(devstack(["secrets", "ls", "--json"], { env }).stdout) as { secrets: { name: string; state: string }[] };
    expect(ls.secrets.every((s) => s.state === "present")).toBe(true);
    expect(devstack(["secrets", "sync"], { env }).code).toBe(0);
  });

  it("lets a person choose the Grafana login they type, but no other generated value", async () => {
    expect(devstack(["secrets", "set", "platform.GRAFANA_ADMIN_PASSWORD"], { env, input: "my-own-grafana-password\n" }).code).toBe(0);
    expect((await readStore()).platform.GRAFANA_ADMIN_PASSWORD?.value).toBe("my-own-grafana-password");
    const refused = devstack(["secrets", "set", "SESSION_KEY"], { env, input: "typed-by-a-human-0123\n" });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("SESSION_KEY is generated by devstack; nobody types it");
  });

  it("refuses a value given as an argument and stores nothing", async () => {
    const before = await readStore();
    const r = devstack(["secrets", "set", "STRIPE_API_KEY", "sk_live_on_the_command_line"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("values are never taken from arguments");
    expect(await readStore()).toEqual(before);
  });

  it("reads a value from --from-file", async () => {
    const file = join(home, "stripe.key");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, "sk_live_from_file_9876543210\n", { mode: 0o600 });
    expect(devstack(["secrets", "set", "STRIPE_API_KEY", "--from-file", file], { env }).code).toBe(0);
    expect((await readStore()).app.STRIPE_API_KEY?.value).toBe("sk_live_from_file_9876543210");
  });

  it("survives a crash between writing and renaming: the old store stays readable", async () => {
    const before = await readStore();
    const r = await runAsync(["secrets", "rotate", "SESSION_KEY"], { DEVSTACK_FAULT: "durable:before-rename" });
    expect(r.signal).toBe("SIGKILL");
    expect(await readStore()).toEqual(before);
    // The lock the killed run held is taken over at once: its process is gone.
    const started = performance.now();
    const again = devstack(["secrets", "rotate", "SESSION_KEY"], { env });
    expect(again.code).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await readStore()).app.SESSION_KEY?.value).not.toBe(before.app.SESSION_KEY?.value);
  }, 60_000);

  it.skipIf(skipWithout("util-linux script", spawnSync("script", ["--version"]).status !== 0))("prompts on a terminal without echoing what is typed (needs util-linux script)", async () => {
    // `script` gives the command a real pseudo-terminal; the typed value follows the prompt.
    const child = spawn("script", ["-qec", `${process.execPath} ${BIN} secrets set STRIPE_API_KEY`, "/dev/null"], { cwd: HELLO, env: { ...process.env, ...env } });
    let screen = "";
    let typed = false;
    child.stdout.on("data", (c: Buffer) => {
      screen += c.toString();
      if (!typed && screen.includes("(input hidden): ")) {
        typed = true;
        child.stdin.write("sk_typed_on_a_tty_13579\r");
      }
    });
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(screen).toContain("value for STRIPE_API_KEY (input hidden):");
    expect(screen).not.toContain("sk_typed_on_a_tty_13579");
    expect((await readStore()).app.STRIPE_API_KEY?.value).toBe("sk_typed_on_a_tty_13579");
  });

  it("keeps the key file private", () => {
    const key = readFileSync(join(home, "config", "age-identity.txt"), "utf8");
    expect(key).toMatch(/AGE-SECRET-KEY-1/);
  });

  it("secrets key shows where the key lives, exports a backup to a named file or a pipe, never to a terminal", () => {
    const shown = devstack(["secrets", "key", "--json"], { env });
    expect(shown.code).toBe(0);
    const key = (JSON.parse(shown.stdout) as { key: { state: string; where: string; kind: string; recipient: string } }).key;
    expect(key).toMatchObject({ state: "ok", where: join(home, "config", "age-identity.txt"), kind: "file", recipient: expect.stringMatching(/^age1/) });
    const identity = readFileSync(join(home, "config", "age-identity.txt"), "utf8").match(/AGE-SECRET-KEY-1\w+/)?.[0] as string;
    expect(shown.stdout).not.toContain(identity);

    const backup = join(home, "backup.txt");
    const exported = devstack(["secrets", "key", "--export", backup], { env });
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain(identity);
    expect(readFileSync(backup, "utf8")).toContain(identity);
    expect(devstack(["secrets", "key", "--export", backup], { env })).toMatchObject({ code: 2, stderr: expect.stringContaining("exists; a key backup never overwrites a file") });
    // To a pipe (a password manager), on request.
    expect(devstack(["secrets", "key", "--export", "-"], { env }).stdout).toContain(identity);
  });

  it.skipIf(skipWithout("util-linux script", spawnSync("script", ["--version"]).status !== 0))("secrets key --export - refuses a terminal", async () => {
    const child = spawn("script", ["-qec", `${process.execPath} ${BIN} secrets key --export -`, "/dev/null"], { cwd: HELLO, env: { ...process.env, ...env } });
    let screen = "";
    child.stdout.on("data", (c: Buffer) => (screen += c.toString()));
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(2);
    expect(screen).toContain("the key is never printed on a terminal");
    expect(screen).not.toMatch(/AGE-SECRET-KEY-1/);
  });
});
