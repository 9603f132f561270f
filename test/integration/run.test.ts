import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BIN, devstack } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { dockerTierMissing, standinProject } from "../support/standins.js";
import { readStoreIn } from "../support/store.js";

// `devstack run -- CMD` on the Docker tier: a small server run through it
// reaches Postgres and the SMTP sink with the values devstack generated,
// while no output, no process's command line and no file under the project
// or devstack's home holds a secret.

const missing = await dockerTierMissing();
const ROOT = join(import.meta.dirname, "..", "..");

const SERVER = `
import { createRequire } from "node:module";
import { createServer } from "node:http";
const require = createRequire(${JSON.stringify(join(ROOT, "package.json"))});
const pg = require("pg");
const nodemailer = require("nodemailer");
const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
await db.connect();
const mail = nodemailer.createTransport(process.env.SMTP_URL);
const server = createServer(async (_req, res) => {
  const { rows } = await db.query("SELECT current_user AS who");
  await mail.sendMail({ from: "app@example.test", to: "dev@example.test", subject: "sent by " + rows[0].who, text: "hello" });
  res.end(JSON.stringify({ who: rows[0].who }));
});
server.listen(0, "127.0.0.1", () => console.log("listening " + server.address().port));
// Stopped by devstack run passing on SIGTERM: a clean end, with its own code.
process.on("SIGTERM", () => { server.close(); db.end().finally(() => process.exit(5)); });
`;

/** Every file under a directory, read whole, that holds the text. */
function filesHolding(dir: string, text: string): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const path = join(dir, name);
    try {
      if (statSync(path).isFile() && readFileSync(path).includes(text)) hits.push(path);
    } catch {
      // Gone meanwhile (a temporary file): nothing to read.
    }
  }
  return hits;
}

/** Command lines of every process on this machine that hold the text. */
function processesHolding(text: string): string[] {
  const hits: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`);
      if (cmdline.includes(text)) hits.push(`${pid}: ${cmdline.toString().replace(/\0/g, " ")}`);
    } catch {
      // Ended meanwhile.
    }
  }
  return hits;
}

describeWithEngine("Docker engine with stand-in images", missing, "devstack run: the app on the host with its secrets, never shown", () => {
  let dir: string;
  const home = mkdtempSync(join(tmpdir(), "devstack-run-home-"));
  const env = { DEVSTACK_HOME: home };
  const cli = (args: string[]) => devstack(args, { cwd: dir, env, timeoutMs: 240_000 });
  let upOutput = "";

  beforeAll(async () => {
    ({ dir } = await standinProject());
    writeFileSync(join(dir, "server.mjs"), SERVER);
    const r = cli(["up", "--services-only"]);
    if (r.code !== 0) throw new Error(`up failed: ${r.stdout}\n${r.stderr}`);
    upOutput = r.stdout + r.stderr;
  }, 300_000);

  afterAll(() => {
    cli(["down", "--purge", "--yes"]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("up --services-only names devstack run as the next step, and which variables it fills", () => {
    expect(upOutput).toContain("devstack run -- ");
    expect(upOutput).toMatch(/devstack run fills[^\n]*DATABASE_URL/);
  });

  it("refuses a command that does not exist before any work, and a declared secret never set; exits with the command's code", () => {
    const started = performance.now();
    const typo = cli(["run", "--", "no-such-command-xyz"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("cannot run no-such-command-xyz");
    expect(performance.now() - started).toBeLessThan(10_000);

    // examples/hello declares STRIPE_API_KEY external: until someone sets it, run refuses rather than run without it.
    const refused = cli(["run", "--", "node", "-e", "process.exit(0)"]);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain("STRIPE_API_KEY");
    expect(refused.stderr).toContain("devstack secrets set STRIPE_API_KEY");

    const set = devstack(["secrets", "set", "STRIPE_API_KEY"], { cwd: dir, env, input: "sk_test_run\n" });
    expect(set.code, set.stderr).toBe(0);
    expect(cli(["run", "--", "node", "-e", "process.exit(process.env.STRIPE_API_KEY === 'sk_test_run' ? 3 : 1)"]).code).toBe(3);
  }, 180_000);

  it("runs a server that reaches Postgres and the mail sink; its exit code and signals pass through; no secret shows anywhere", async () => {
    const store = await readStoreIn(home, dir);
    const password = store.database.password?.value as string;
    expect(password.length).toBeGreaterThan(8);

    const child = spawn(process.execPath, [BIN, "run", "--", "node", "server.mjs"], { cwd: dir, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const ended = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    for (let i = 0; i < 600 && !/listening \d+/.test(stdout); i++) await new Promise((r) => setTimeout(r, 100));
    const port = Number(/listening (\d+)/.exec(stdout)?.[1]);
    expect(port, stderr).toBeGreaterThan(0);

    const answer = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { who: string };
    expect(answer.who).toBe(store.database.username?.value);
    expect(processesHolding(password)).toEqual([]);

    child.kill("SIGTERM");
    expect(await ended).toBe(5);

    const smtpApi = JSON.parse(cli(["up", "--services-only", "--json"]).stdout.trim().split("\n").at(-1) as string).endpoints.smtp.api as string;
    const messages = (await (await fetch(smtpApi)).json()) as { subject: string }[];
    expect(messages.map((m) => m.subject)).toContain(`sent by ${answer.who}`);

    expect(stdout + stderr).not.toContain(password);
    expect(filesHolding(dir, password)).toEqual([]);
    expect(filesHolding(home, password)).toEqual([]);
  }, 180_000);

});
