import { rmSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import nodemailer from "nodemailer";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStack, type RunningStack } from "../../src/testing/index.js";
import { devstack } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { dockerTierMissing, standinProject } from "../support/standins.js";

const missing = await dockerTierMissing();

describeWithEngine("Docker engine with stand-in images", missing, "devstack/testing and devstack test", () => {
  let dir: string;
  const home = mkdtempSync(join(tmpdir(), "devstack-harness-home-"));
  const saved = process.env.DEVSTACK_HOME;
  let stacks: RunningStack[] = [];

  beforeAll(async () => {
    process.env.DEVSTACK_HOME = home;
    ({ dir } = await standinProject());
  });

  afterAll(async () => {
    for (const s of stacks) await s.stop().catch(() => undefined);
    process.env.DEVSTACK_HOME = saved;
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("starts two isolated stacks of one project side by side", async () => {
    stacks = await Promise.all([startStack({ cwd: dir, cluster: false }), startStack({ cwd: dir, cluster: false })]);
    const [a, b] = stacks as [RunningStack, RunningStack];
    expect(a.name).not.toBe(b.name);
    expect(a.databaseUrl).not.toBe(b.databaseUrl);
    for (const stack of stacks) {
      const client = new pg.Client({ connectionString: stack.databaseUrl });
      await client.connect();
      expect((await client.query("SELECT current_database() AS db")).rows[0].db).toBe("hello");
      await client.end();
    }
    const smtp = new URL(a.env.SMTP_URL as string);
    await nodemailer.createTransport({ host: smtp.hostname, port: Number(smtp.port), secure: false, ignoreTLS: true }).sendMail({ from: "a@devstack.test", to: "b@example.com", subject: "only in stack a", text: "x" });
    // The sink stores a message a moment after SMTP accepts it.
    for (let i = 0; i < 50 && (await a.messages()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await a.messages()).map((m) => m.subject)).toEqual(["only in stack a"]);
    expect(await b.messages()).toEqual([]);
  }, 300_000);

  it("says logs need the cluster when the stack has none", async () => {
    await expect((stacks[0] as RunningStack).logs('{app="hello"}')).rejects.toThrow(/logs live in the cluster's Loki/);
  });

  it("stop() removes a stack with its volumes", async () => {
    const [a] = stacks as [RunningStack];
    await a.stop();
    stacks = stacks.slice(1);
    const left = spawnSync("docker", ["ps", "-a", "-q", "--filter", `label=devstack.project=${a.name}`], { encoding: "utf8" }).stdout.trim();
    expect(left).toBe("");
    expect(spawnSync("docker", ["volume", "ls", "-q", "--filter", `label=devstack.project=${a.name}`], { encoding: "utf8" }).stdout.trim()).toBe("");
  }, 120_000);

  it("devstack test runs the command against its own stack and exits with the command's code", () => {
    const script = "const pg = require('pg'); const c = new pg.Client({ connectionString: process.env.DATABASE_URL }); c.connect().then(() => c.query('SELECT 1 AS ok')).then((r) => { console.log('db ok', r.rows[0].ok, process.env.SMTP_URL ? 'smtp set' : 'no smtp'); return c.end(); }).then(() => process.exit(3));";
    const r = devstack(["test", "--services-only", "--", process.execPath, "-e", script], { cwd: dir, env: { DEVSTACK_HOME: home, NODE_PATH: join(process.cwd(), "node_modules") }, timeoutMs: 300_000 });
    expect(r.stdout).toContain("db ok 1 smtp set");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/stack hello-[0-9a-f]+ removed/);
  }, 300_000);
});
