import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BIN, devstack, devstackAsync, jsonLines, type CliResult } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { dockerTierMissing, standinProject } from "../support/standins.js";

// Issue 18: two `up`s of one project at once, and two projects side by side
// with default ports, on the real engine with the stand-in images.

const missing = await dockerTierMissing();

interface Status {
  stack: string;
  components: { component: string; state: string; health: string; ports: string[] }[];
  ports: Record<string, number>;
  movedPorts: { key: string; port: number; default: number }[];
}

/** A stand-in project whose local profile leaves every port at its default, as a user's would. */
async function defaultPortsProject(): Promise<string> {
  const { dir } = await standinProject();
  const file = join(dir, "profiles", "local.yaml");
  const profile = readFileSync(file, "utf8").replace(/^ports:\n(?: {2}.*\n)+/m, "");
  expect(profile).not.toContain("ports:");
  writeFileSync(file, profile);
  return dir;
}

function networksNamed(name: string): string[] {
  const r = spawnSync("docker", ["network", "ls", "--filter", `name=^${name}$`, "--format", "{{.ID}}"], { encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean);
}

/** What two racing runs of an older devstack left: the docker CLI refuses a second network of one name, the API (as dockerode calls it) does not. */
async function duplicateNetwork(name: string, stack: string): Promise<void> {
  const { default: Docker } = await import("dockerode");
  await new Docker().createNetwork({ Name: name, CheckDuplicate: false, Labels: { "devstack.project": stack } });
}

const healthy = (c: { state: string; health: string }) => c.state === "running" && (c.health === "healthy" || c.health === "running");
const hostPorts = (s: Status) => s.components.flatMap((c) => c.ports.map((p) => Number(/^[^:]+:(\d+)->/.exec(p)?.[1])));

describeWithEngine("Docker engine with stand-in images", missing, "concurrent ups and side-by-side projects", () => {
  const home = mkdtempSync(join(tmpdir(), "devstack-concurrency-home-"));
  const env = { DEVSTACK_HOME: home };
  let a: string;
  let b: string;
  const run = (dir: string, args: string[]) => devstack(args, { cwd: dir, env, timeoutMs: 240_000 });
  const status = (dir: string): Status => {
    const r = run(dir, ["status", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Status;
  };
  const expectUp = (r: CliResult) => expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  const expectHealthy = (s: Status) => {
    expect(s.components.map((c) => c.component)).toEqual(["object-store", "pebble", "pebble-challtestsrv", "postgres", "registry", "smtp"]);
    expect(s.components.filter((c) => !healthy(c))).toEqual([]);
  };

  beforeAll(async () => {
    a = await defaultPortsProject();
    b = await defaultPortsProject();
  });

  afterAll(() => {
    for (const dir of [a, b]) {
      run(dir, ["down", "--purge", "--yes"]);
      rmSync(dir, { recursive: true, force: true });
    }
    rmSync(home, { recursive: true, force: true });
  }, 180_000);

  it("two ups of one project started together end with one healthy stack and one network, five times over", async () => {
    for (let round = 1; round <= 5; round++) {
      const started = performance.now();
      const both = await Promise.all([0, 1].map(() => devstackAsync(["up", "--services-only", "--json"], { cwd: a, env, timeoutMs: 240_000 })));
      for (const r of both) expectUp(r);
      // One of them found the other holding the stack and said so.
      const notes = both.flatMap((r) => jsonLines(r.stdout)).filter((l) => l.type === "event" && l.event === "note").map((l) => String((l as { text?: unknown }).text));
      expect(notes.some((n) => /^waiting for process \d+/.test(n)), notes.join("\n")).toBe(true);
      const s = status(a);
      expectHealthy(s);
      expect(networksNamed(`devstack-${s.stack}`)).toHaveLength(1);
      process.stderr.write(`round ${round}: two concurrent ups in ${Math.round(performance.now() - started)} ms\n`);
      // A fresh stack each round but the last, so each race is over creating it.
      if (round < 5) expectUp(run(a, ["down", "--purge", "--yes"]));
    }
  }, 1_200_000);

  it("removes a duplicate network it finds, and down --purge removes every one", async () => {
    expectUp(run(a, ["up", "--services-only"]));
    const { stack } = status(a);
    const name = `devstack-${stack}`;
    await duplicateNetwork(name, stack);
    expect(networksNamed(name)).toHaveLength(2);
    const r = run(a, ["up", "--services-only"]);
    expectUp(r);
    expect(networksNamed(name)).toHaveLength(1);
    expectHealthy(status(a));

    await duplicateNetwork(name, stack);
    expectUp(run(a, ["down", "--purge", "--yes"]));
    expect(networksNamed(name)).toHaveLength(0);
    expectUp(run(a, ["up", "--services-only"]));
  }, 300_000);

  it("a second project comes up beside the first with default settings, on ports of its own", () => {
    expectUp(run(a, ["up", "--services-only"]));
    const r = run(b, ["up", "--services-only", "--json"]);
    expectUp(r);
    const result = jsonLines(r.stdout).at(-1) as unknown as { ports: Record<string, { port: number; default: number; source: string }>; endpoints: { smtp: { port: number } }; env: Record<string, string> };
    const sa = status(a);
    const sb = status(b);
    expectHealthy(sa);
    expectHealthy(sb);
    const pa = hostPorts(sa);
    const pb = hostPorts(sb);
    expect(pa.every(Number.isInteger) && pb.every(Number.isInteger)).toBe(true);
    expect(pb.filter((p) => pa.includes(p))).toEqual([]);
    // The second's SMTP sink could not have 1025 (the first holds or reserved it): moved, remembered, shown everywhere.
    expect(sa.ports.smtp).toBe(1025);
    expect(result.ports.smtp?.source).toBe("moved");
    expect(sb.ports.smtp).toBe(result.ports.smtp?.port);
    expect(sb.movedPorts.map((m) => m.key)).toContain("smtp");
    expect(result.endpoints.smtp.port).toBe(sb.ports.smtp);
    expect(result.env.SMTP_URL).toBe(`smtp://127.0.0.1:${sb.ports.smtp}`);
    const human = run(b, ["status"]);
    expect(human.stdout).toContain(`smtp ${sb.ports.smtp} (default 1025)`);
    // doctor in either project sees its own stack on those ports, not a clash to fix.
    for (const dir of [a, b]) {
      const checks = (JSON.parse(run(dir, ["doctor", "--json"]).stdout) as { checks: { id: string; status: string; detail: string }[] }).checks.filter((c) => c.id.startsWith("port:"));
      expect(checks.filter((c) => c.status !== "ok")).toEqual([]);
      expect(checks.find((c) => c.id === "port:smtp")?.detail).toContain("this project's running stack");
    }
    // Stable: the next up keeps the same ports, and reuses every container.
    const again = run(b, ["up", "--services-only", "--dry-run", "--json"]);
    const plan = jsonLines(again.stdout).at(-1) as unknown as { plan: { containers: { action: string }[] } };
    expect(plan.plan.containers.every((c) => c.action === "reuse")).toBe(true);
  }, 300_000);

  it("a run waiting behind a holder killed with -9 takes over and finishes; --no-wait fails at once", async () => {
    expectUp(run(a, ["down", "--purge", "--yes"]));
    const { stack } = status(a);
    const lockFile = join(home, "data", "stacks", stack, "stack.lock");
    const holder = spawn(process.execPath, [BIN, "up", "--services-only"], { cwd: a, env: { ...process.env, ...env, NO_COLOR: "1" }, stdio: "ignore" });
    try {
      for (let i = 0; i < 200 && !(existsSync(lockFile) && readFileSync(lockFile, "utf8").includes(`"pid":${holder.pid}`)); i++) await new Promise((r) => setTimeout(r, 50));
      expect(readFileSync(lockFile, "utf8")).toContain(`"pid":${holder.pid}`);

      const busy = run(a, ["up", "--services-only", "--no-wait"]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`is being changed by process ${holder.pid}`);
      expect(busy.stderr).toContain(`kill ${holder.pid}`);

      let waiterErr = "";
      const waiter = spawn(process.execPath, [BIN, "up", "--services-only"], { cwd: a, env: { ...process.env, ...env, NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"] });
      waiter.stderr.on("data", (d: Buffer) => (waiterErr += d.toString()));
      const done = new Promise<number>((resolve) => waiter.on("close", (code) => resolve(code ?? -1)));
      for (let i = 0; i < 100 && !waiterErr.includes("waiting for"); i++) await new Promise((r) => setTimeout(r, 50));
      expect(waiterErr).toContain(`waiting for process ${holder.pid}`);
      const killedAt = performance.now();
      holder.kill("SIGKILL");
      expect(await done, waiterErr).toBe(0);
      process.stderr.write(`waiter finished ${Math.round(performance.now() - killedAt)} ms after the holder was killed\n`);
    } finally {
      holder.kill("SIGKILL");
    }
    expectHealthy(status(a));
    expect(networksNamed(`devstack-${stack}`)).toHaveLength(1);
  }, 300_000);
});
