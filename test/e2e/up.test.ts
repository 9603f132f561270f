import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devstack } from "../support/cli.js";

// Tier 3: a real k3s. Needs a Docker engine that can pull rancher/k3s, the
// upstream service images and the public chart repositories; run with
// DEVSTACK_E2E=1 (as .github/workflows/e2e.yml does).
const enabled = process.env.DEVSTACK_E2E === "1";
if (!enabled) process.stderr.write("skip: e2e on a real k3s: set DEVSTACK_E2E=1 on a machine whose Docker engine can pull images\n");

function get(url: string, ca: string, port: number): Promise<{ status: number; issuer: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: u.pathname, servername: u.hostname, headers: { host: u.hostname }, ca }, (res) => {
      const cert = (res.socket as import("node:tls").TLSSocket).getPeerCertificate();
      res.resume();
      resolve({ status: res.statusCode ?? 0, issuer: String(cert.issuer?.CN ?? "") });
    });
    req.on("error", reject);
    req.end();
  });
}

describe.skipIf(!enabled)("devstack up on a real k3s [e2e]", () => {
  const home = mkdtempSync(join(tmpdir(), "devstack-e2e-"));
  const env = { DEVSTACK_HOME: home };
  let done: { cluster: { url: string }; ms: number };

  beforeAll(() => {
    const set = devstack(["secrets", "set", "STRIPE_API_KEY"], { env, input: "sk_test_e2e_0123456789\n" });
    expect(set.code).toBe(0);
    const r = devstack(["up", "--no-watch", "--json"], { env, timeoutMs: 30 * 60_000 });
    if (r.code !== 0) throw new Error(`up failed:\n${r.stdout}\n${r.stderr}`);
    done = JSON.parse(r.stdout.trim().split("\n").at(-1) as string);
  }, 30 * 60_000);

  afterAll(() => {
    devstack(["down", "--purge", "--yes"], { env, timeoutMs: 10 * 60_000 });
    rmSync(home, { recursive: true, force: true });
  }, 10 * 60_000);

  it("serves the app over HTTPS with a chain to the local ACME root", async () => {
    const id = (JSON.parse(devstack(["status", "--json"], { env }).stdout) as { stack: string }).stack;
    const root = readFileSync(join(home, "data", "stacks", id, "pebble-root.pem"), "utf8");
    const res = await get(`${done.cluster.url}/healthz`, root, 443);
    expect(res.status).toBe(200);
    expect(res.issuer).toMatch(/Pebble/);
  });

  it("the app's JSON log lines reach Loki with their labels", async () => {
    const id = (JSON.parse(devstack(["status", "--json"], { env }).stdout) as { stack: string }).stack;
    const { kubeConfig } = await import("../../src/cluster/apply.js");
    const { forwardToPod } = await import("../../src/cluster/port-forward.js");
    const { LokiClient } = await import("../../src/logs/loki.js");
    const kc = await kubeConfig(join(home, "config", "clusters", id, "kubeconfig"));
    const forward = await forwardToPod(kc, "devstack-system", "app.kubernetes.io/name=loki", 3100);
    try {
      const end = new Date();
      let lines: { labels: Record<string, string> }[] = [];
      for (let i = 0; i < 30 && lines.length === 0; i++) {
        lines = await new LokiClient(`http://127.0.0.1:${forward.port}`).queryRange({ query: '{app="hello", environment="local"}', start: new Date(end.getTime() - 3_600_000), end: new Date(), limit: 10 });
        if (lines.length === 0) await new Promise((r) => setTimeout(r, 2000));
      }
      expect(lines[0]?.labels).toMatchObject({ app: "hello", environment: "local", component: "web" });
    } finally {
      await forward.close();
    }
  }, 120_000);

  it("an error burst becomes an e-mail in the SMTP sink, and devstack logs shows the lines with their labels", async () => {
    const id = (JSON.parse(devstack(["status", "--json"], { env }).stdout) as { stack: string }).stack;
    const root = readFileSync(join(home, "data", "stacks", id, "pebble-root.pem"), "utf8");
    for (let i = 0; i < 8; i++) await get(`${done.cluster.url}/boom`, root, 443);
    let subjects: string[] = [];
    for (let i = 0; i < 60 && !subjects.some((s) => s.includes("error-burst")); i++) {
      subjects = ((await (await fetch("http://127.0.0.1:8025/email")).json()) as { subject: string }[]).map((m) => m.subject);
      if (!subjects.some((s) => s.includes("error-burst"))) await new Promise((r) => setTimeout(r, 5000));
    }
    expect(subjects).toContain("[hello local] error-burst: boom requested");
    const logs = devstack(["logs", "--level", "error", "--since", "15m", "--json"], { env });
    expect(logs.code).toBe(0);
    // Each log line is an event; the last line is the result.
    const lines = logs.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; event?: string; labels: Record<string, string>; line: string })
      .filter((l) => l.type === "event" && l.event === "log");
    expect(lines.some((l) => l.line.includes("boom requested") && l.labels.level === "error" && l.labels.component === "web")).toBe(true);
  }, 10 * 60_000);

  it("the export CronJob runs devstack export in the cluster into the local object store, and a laptop export continues from its watermark", async () => {
    const id = (JSON.parse(devstack(["status", "--json"], { env }).stdout) as { stack: string }).stack;
    const root = readFileSync(join(home, "data", "stacks", id, "pebble-root.pem"), "utf8");
    for (let i = 0; i < 5; i++) await get(`${done.cluster.url}/visit-${i}`, root, 443);
    // jobs run starts a Job from the CronJob's template and streams its log.
    const job = devstack(["jobs", "run", "export-visits"], { env, timeoutMs: 10 * 60_000 });
    expect(job.code, job.stderr).toBe(0);
    const query = devstack(["export", "--query", "SELECT count(*) AS n, count(DISTINCT exported_at) AS runs FROM visits WHERE path LIKE '/visit-%'", "--json"], { env });
    expect(query.code, query.stderr).toBe(0);
    const rows = query.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; row?: unknown }).filter((l) => l.type === "event").map((l) => l.row);
    expect(rows[0]).toMatchObject({ n: "5", runs: "1" });
    // Same watermark from the laptop: nothing new, nothing exported twice.
    const again = devstack(["export", "visits", "--json"], { env });
    expect(JSON.parse(again.stdout.trim().split("\n").at(-1) as string).exports[0].rows).toBe(0);
  }, 15 * 60_000);

  it("a second up with nothing changed skips build, push and deploy", () => {
    const r = devstack(["up", "--no-watch", "--json"], { env, timeoutMs: 10 * 60_000 });
    expect(r.code).toBe(0);
    const notes = r.stdout.split("\n").filter((l) => l.includes('"note"')).join("\n");
    // The deploy plan's skipped steps, each with why.
    expect(notes).toContain("(sources unchanged: the registry has src-");
    expect(notes).toContain("helm upgrade --install hello (values and image unchanged: revision");
  }, 10 * 60_000);

  it("down --purge leaves no container, volume or network", () => {
    const id = (JSON.parse(devstack(["status", "--json"], { env }).stdout) as { stack: string }).stack;
    expect(devstack(["down", "--purge", "--yes"], { env, timeoutMs: 10 * 60_000 }).code).toBe(0);
    for (const what of [["ps", "-a"], ["volume", "ls"], ["network", "ls"]]) {
      expect(spawnSync("docker", [...what, "--filter", `label=devstack.project=${id}`, "-q"], { encoding: "utf8" }).stdout.trim()).toBe("");
    }
  }, 10 * 60_000);
});
