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

  it("two concurrent syncs produce one value per secret", async () => {
    const [a, b] = await Promise.all([runAsync(["secrets", "sync", "--json"]), runAsync(["secrets", "sync", "--json"])]);
    const created = [a, b].map((r) => (JSON.parse(r.stdout) as { created: string[] }).created);
    // Exactly one run generated the values; the other found them.
    expect(created.map((c) => c.length).sort()).toEqual([0, 10]);
    expect([a.code, b.code]).toEqual([1, 1]); // STRIPE_API_KEY is still missing
  });

  it("sync again changes nothing", async () => {
    const before = await readStore();
    const r = devstack(["secrets", "sync", "--json"], { env });
    expect(JSON.parse(r.stdout).created).toEqual([]);
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
    // The lock the killed run held goes stale and the next run proceeds.
    const again = devstack(["secrets", "rotate", "SESSION_KEY"], { env });
    expect(again.code).toBe(0);
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
});
