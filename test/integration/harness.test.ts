import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import nodemailer from "nodemailer";
import pg from "pg";
import { REAPER_IMAGE } from "testcontainers/build/reaper/reaper.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStack, type RunningStack } from "../../src/testing/index.js";
import { devstack, ROOT } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { dockerTierMissing, standinProject } from "../support/standins.js";

const tierMissing = await dockerTierMissing();
const reaperMissing = spawnSync("docker", ["image", "inspect", REAPER_IMAGE], { stdio: "ignore" }).status === 0 ? undefined : `the reaper stand-in ${REAPER_IMAGE} is not built (scripts/build-standin-images.sh)`;
const missing = tierMissing ?? reaperMissing;

const HARNESS = pathToFileURL(join(ROOT, "dist", "testing", "index.js")).href;

function docker(args: string[]): string {
  return spawnSync("docker", args, { encoding: "utf8" }).stdout.trim();
}

/** What of a stack is on the engine: its containers, network and volumes. */
function leftOf(name: string): { containers: string; network: string; volumes: string } {
  return {
    containers: docker(["ps", "-a", "-q", "--filter", `label=devstack.project=${name}`]),
    network: spawnSync("docker", ["network", "inspect", `devstack-${name}`], { stdio: "ignore" }).status === 0 ? `devstack-${name}` : "",
    volumes: docker(["volume", "ls", "-q", "--filter", `label=devstack.project=${name}`]),
  };
}

const NOTHING = { containers: "", network: "", volumes: "" };

/** Polls until nothing of the stack is left, or the time is up; returns what is left and how long it took. */
async function goneWithin(name: string, ms: number): Promise<{ left: ReturnType<typeof leftOf>; ms: number }> {
  const started = Date.now();
  let left = leftOf(name);
  while (Date.now() - started < ms && (left.containers || left.network || left.volumes)) {
    await new Promise((r) => setTimeout(r, 1000));
    left = leftOf(name);
  }
  return { left, ms: Date.now() - started };
}

interface Child {
  process: ChildProcess;
  /** The stack's name, once the child has started it. */
  ready: Promise<string>;
  exited: Promise<number | null>;
  stderr: () => string;
}

/**
 * A test process of its own (node, on the built harness) that starts a
 * services-only stack, prints its name, then exits without stop() (`exit`)
 * or waits to be killed (`wait`).
 */
function testProcess(dir: string, home: string, then: "exit" | "wait", env: NodeJS.ProcessEnv = {}): Child {
  const script = `const { startStack } = await import(${JSON.stringify(HARNESS)});
const stack = await startStack({ cwd: ${JSON.stringify(dir)}, cluster: false });
console.log("READY " + stack.name);
${then === "exit" ? "process.exit(0);" : "setInterval(() => undefined, 60_000);"}`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, DEVSTACK_HOME: home, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const name = /READY (\S+)/.exec(stdout)?.[1];
      if (name) resolve(name);
    });
    void exited.then((code) => reject(new Error(`the test process exited (${code}) before its stack was up:\n${stderr}`)));
  });
  return { process: child, ready, exited, stderr: () => stderr };
}

describeWithEngine("Docker engine with stand-in images", missing, "devstack/testing and devstack test", () => {
  let dir: string;
  const home = mkdtempSync(join(tmpdir(), "devstack-harness-home-"));
  const saved = process.env.DEVSTACK_HOME;
  let stacks: RunningStack[] = [];
  /** A stack a killed process left without a reaper: the next startStack removes it. */
  let orphan: string | undefined;

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

  // First in the file: this process has no reaper yet, so the killed process's reaper is its own.
  // (testcontainers shares a running reaper between processes; a shared one removes the killed
  // process's containers only once every process connected to it has ended.)
  it("a test process killed with SIGKILL leaves nothing behind: its reaper removes the stack", async () => {
    // TESTCONTAINERS_RYUK_TEST_LABEL: this test process's own stacks, later, do not share the killed one's reaper.
    const child = testProcess(dir, home, "wait", { TESTCONTAINERS_RYUK_TEST_LABEL: "true" });
    const name = await child.ready;
    expect(leftOf(name).containers).not.toBe("");
    expect(child.stderr()).not.toContain("no reaper");
    child.process.kill("SIGKILL");
    await child.exited;
    // Ryuk's RYUK_RECONNECTION_TIMEOUT is 10 s, then it removes the session's containers, network and volumes.
    const { left, ms } = await goneWithin(name, 30_000);
    expect(left).toEqual(NOTHING);
    process.stderr.write(`reaper removed stack ${name} ${ms} ms after its process was killed\n`);
  }, 240_000);

  it("without a reaper image: one line says so; an exiting process removes its stack, a killed one's goes with the next startStack", async () => {
    const absent = { RYUK_CONTAINER_IMAGE: "devstack-standin/absent-reaper:none" };
    const exiting = testProcess(dir, home, "exit", absent);
    const killed = testProcess(dir, home, "wait", absent);
    const [exitingName, killedName] = await Promise.all([exiting.ready, killed.ready]);
    for (const child of [exiting, killed]) {
      const lines = child.stderr().split("\n").filter((l) => l.startsWith("devstack/testing: no reaper:"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("devstack-standin/absent-reaper:none is not here and cannot be pulled");
    }
    // Exit without stop(): the exit hook removed the stack before the process ended.
    expect(await exiting.exited).toBe(0);
    expect(leftOf(exitingName)).toEqual(NOTHING);
    killed.process.kill("SIGKILL");
    await killed.exited;
    // No reaper: the killed process's stack stays until a startStack on this machine sweeps it.
    await new Promise((r) => setTimeout(r, 2000));
    expect(leftOf(killedName).containers).not.toBe("");
    expect(docker(["ps", "-a", "-q", "--filter", `label=devstack.project=${killedName}`, "--filter", "label=devstack.owner.pid"])).not.toBe("");
    orphan = killedName;
  }, 240_000);

  it("starts two isolated stacks of one project side by side", async () => {
    stacks = await Promise.all([startStack({ cwd: dir, cluster: false }), startStack({ cwd: dir, cluster: false })]);
    // The killed process's stack from the test before is gone: startStack swept it.
    if (orphan) expect(leftOf(orphan)).toEqual(NOTHING);
    const [a, b] = stacks as [RunningStack, RunningStack];
    expect(a.name).not.toBe(b.name);
    expect(a.databaseUrl).not.toBe(b.databaseUrl);
    for (const stack of stacks) {
      const client = new pg.Client({ connectionString: stack.databaseUrl });
      await client.connect();
      expect((await client.query("SELECT current_database() AS db")).rows[0].db).toBe("hello");
      await client.end();
    }
    // On testcontainers: labelled with its session (the reaper's filter) and devstack's own labels; secrets only as files.
    const ids = docker(["ps", "-q", "--filter", `label=devstack.project=${a.name}`]).split("\n");
    expect(ids.length).toBeGreaterThanOrEqual(5);
    for (const id of ids) {
      const [info] = JSON.parse(docker(["inspect", id])) as { Config: { Env: string[]; Labels: Record<string, string> }; HostConfig: { PortBindings: Record<string, { HostIp: string }[]> } }[];
      expect(info?.Config.Labels).toMatchObject({ "devstack.project": a.name, "org.testcontainers": "true", "devstack.owner.pid": String(process.pid) });
      expect(info?.Config.Labels["org.testcontainers.session-id"]).toMatch(/\S/);
      expect(info?.Config.Env.filter((e) => /PASSWORD=|SECRET_KEY=|ACCESS_KEY=/.test(e))).toEqual([]);
      for (const bindings of Object.values(info?.HostConfig.PortBindings ?? {})) expect(bindings.map((x) => x.HostIp)).toEqual(["127.0.0.1"]);
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

  it("stop() removes a stack with its network and volumes", async () => {
    const [a] = stacks as [RunningStack];
    await a.stop();
    stacks = stacks.slice(1);
    expect(leftOf(a.name)).toEqual(NOTHING);
  }, 120_000);

  it("devstack test refuses, before any stack starts, a command that does not exist and an external secret never set", () => {
    const env = { DEVSTACK_HOME: home };
    const typo = devstack(["test", "--services-only", "--", "no-such-test-runner"], { cwd: dir, env });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("cannot run no-such-test-runner: no such command on PATH");
    expect(typo.stderr).not.toContain("starting an isolated stack");
    // examples/hello declares STRIPE_API_KEY external.
    const unset = devstack(["test", "--services-only", "--", process.execPath, "-e", ""], { cwd: dir, env });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("devstack secrets set STRIPE_API_KEY");
    expect(unset.stderr).not.toContain("starting an isolated stack");
    const set = devstack(["secrets", "set", "STRIPE_API_KEY"], { cwd: dir, env, input: "sk_test_harness\n" });
    expect(set.code, set.stderr).toBe(0);
  });

  it("devstack test runs the command against its own stack and exits with the command's code", () => {
    const script = "const pg = require('pg'); const c = new pg.Client({ connectionString: process.env.DATABASE_URL }); c.connect().then(() => c.query('SELECT 1 AS ok')).then((r) => { console.log('db ok', r.rows[0].ok, process.env.SMTP_URL ? 'smtp set' : 'no smtp'); return c.end(); }).then(() => process.exit(3));";
    const r = devstack(["test", "--services-only", "--", process.execPath, "-e", script], { cwd: dir, env: { DEVSTACK_HOME: home, NODE_PATH: join(process.cwd(), "node_modules") }, timeoutMs: 300_000 });
    expect(r.stdout).toContain("db ok 1 smtp set");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/stack hello-[0-9a-f]+ removed/);
    // A command ended by a signal exits as a shell reports it: 128 + SIGTERM's 15.
    const killed = devstack(["test", "--services-only", "--", process.execPath, "-e", "process.kill(process.pid, 'SIGTERM')"], { cwd: dir, env: { DEVSTACK_HOME: home }, timeoutMs: 300_000 });
    expect(killed.code, killed.stderr).toBe(143);
  }, 600_000);
});
