import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devstack } from "../support/cli.js";

// Tier 3 on examples/shop: several components, Redis, the app's bucket and
// mail on a real k3s. Needs a Docker engine that can pull rancher/k3s and
// the upstream images; run with DEVSTACK_E2E=1 (see test/e2e/up.test.ts).
const enabled = process.env.DEVSTACK_E2E === "1";
if (!enabled) process.stderr.write("skip: e2e of examples/shop on a real k3s: set DEVSTACK_E2E=1 on a machine whose Docker engine can pull images\n");

const SHOP = join(import.meta.dirname, "..", "..", "examples", "shop");

function call(url: string, ca: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: 443, path: u.pathname, method: init.method ?? "GET", servername: u.hostname, headers: { host: u.hostname, ...(payload ? { "content-type": "application/json" } : {}) }, ca },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

describe.skipIf(!enabled)("examples/shop on a real k3s [e2e]", () => {
  const home = mkdtempSync(join(tmpdir(), "devstack-e2e-shop-"));
  const env = { DEVSTACK_HOME: home };
  const run = (args: string[], timeoutMs = 60_000) => devstack(args, { cwd: SHOP, env, timeoutMs });
  let urls: Record<string, string[]>;
  let ca: string;

  beforeAll(() => {
    const r = run(["up", "--no-watch", "--json"], 30 * 60_000);
    if (r.code !== 0) throw new Error(`up failed:\n${r.stdout}\n${r.stderr}`);
    const status = JSON.parse(run(["status", "--json"]).stdout) as { stack: string; urls: { components: Record<string, string[]> } };
    urls = status.urls.components;
    ca = readFileSync(join(home, "data", "stacks", status.stack, "pebble-root.pem"), "utf8");
  }, 30 * 60_000);

  afterAll(() => {
    run(["down", "--purge", "--yes"], 10 * 60_000);
    rmSync(home, { recursive: true, force: true });
  }, 10 * 60_000);

  it("routes / to the frontend and /api to the API, each over HTTPS", async () => {
    expect(Object.keys(urls).sort()).toEqual(["api", "web"]);
    expect((await call(`${urls.api?.[0]}/healthz`, ca)).status).toBe(200);
    expect((await call(`${urls.web?.[0]}/healthz`, ca)).status).toBe(200);
  });

  it("an order passes through Redis to the worker, which mails the confirmation", async () => {
    const placed = await call(`${urls.api?.[0]}/orders`, ca, { method: "POST", body: { productId: 1, quantity: 2, email: "buyer@example.com" } });
    expect(placed.status, placed.body).toBe(201);
    let subjects: string[] = [];
    for (let i = 0; i < 60 && subjects.length === 0; i++) {
      const mail = (await (await fetch("http://127.0.0.1:8025/email")).json()) as { subject: string; to: { address: string }[] }[];
      subjects = mail.filter((m) => m.to.some((t) => t.address === "buyer@example.com")).map((m) => m.subject);
      if (subjects.length === 0) await new Promise((r) => setTimeout(r, 2000));
    }
    expect(subjects.length).toBe(1);
    const logs = run(["logs", "--component", "worker", "--since", "15m", "--json"]);
    expect(logs.code, logs.stderr).toBe(0);
    const lines = logs.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; event?: string; labels: Record<string, string> })
      .filter((l) => l.type === "event" && l.event === "log");
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((l) => l.labels.component))).toEqual(new Set(["worker"]));
  }, 5 * 60_000);

  it("lists cron jobs by the component whose image they run", () => {
    const r = run(["jobs", "ls", "--component", "api", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const jobs = (JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as { jobs: { name: string; component: string }[] }).jobs;
    expect(jobs.map((j) => [j.name, j.component])).toEqual([["shop-daily-report", "api"]]);
  });

  it("down --purge leaves no container, volume or network", () => {
    const id = (JSON.parse(run(["status", "--json"]).stdout) as { stack: string }).stack;
    expect(run(["down", "--purge", "--yes"], 10 * 60_000).code).toBe(0);
    for (const what of [["ps", "-a"], ["volume", "ls"], ["network", "ls"]]) {
      expect(spawnSync("docker", [...what, "--filter", `label=devstack.project=${id}`, "-q"], { encoding: "utf8" }).stdout.trim()).toBe("");
    }
  }, 10 * 60_000);
});
