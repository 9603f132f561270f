import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createClient } from "@redis/client";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config/resolve.js";
import { displayName, secretPlan } from "../../src/secrets/model.js";
import { devstack, jsonResult } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { eventually, HostProcess, secretsByName, shopProject, shopStandinsMissing, unredact } from "../support/host-apps.js";
import { freePorts } from "../support/ports.js";
import { dockerTierMissing } from "../support/standins.js";
import { readStoreIn } from "../support/store.js";

// The shop as a developer runs it between saves: `up --services-only` starts
// Postgres, Redis, the object store and the SMTP sink; the API and the worker
// run on the host with the environment `up` printed for each. An order then
// has to pass through all four.

const missing = (await dockerTierMissing()) ?? shopStandinsMissing();

interface UpResult {
  servicesOnly: boolean;
  endpoints: {
    postgres?: { port: number };
    redis?: { port: number };
    storage?: { endpoint: string; bucket: string };
    smtp?: { port: number; api: string };
  };
  components?: Record<string, Record<string, string>>;
}

interface Mail {
  subject: string;
  from: { address: string }[];
  to: { address: string }[];
  text?: string;
}

/** What each component reads from its environment (examples/shop/api/src). */
const NEEDS = {
  api: ["DATABASE_URL", "REDIS_URL", "API_TOKEN", "PORT"],
  worker: ["DATABASE_URL", "REDIS_URL", "S3_BUCKET", "AWS_REGION", "AWS_ENDPOINT_URL_S3", "S3_FORCE_PATH_STYLE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SMTP_URL", "MAIL_FROM", "HEARTBEAT_FILE"],
};

const BUYER = "buyer@example.com";

describeWithEngine("Docker engine with stand-in images", missing, "examples/shop on its local services, API and worker on the host", () => {
  // Made in beforeAll, so a skipped run leaves nothing behind.
  let home = "";
  let work = "";
  let dir = "";
  let profile = "";
  let up: UpResult;
  let upStdout = "";
  let secrets: Record<string, string> = {};
  const env: Record<"api" | "worker", Record<string, string>> = { api: {}, worker: {} };
  const processes: HostProcess[] = [];
  let api: HostProcess | undefined;
  let worker: HostProcess | undefined;
  let apiUrl = "";
  const run = (args: string[], timeoutMs = 240_000) => devstack([...args, "--profile", profile], { cwd: dir, env: { DEVSTACK_HOME: home }, timeoutMs });

  const db = async <T>(query: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: env.worker.DATABASE_URL });
    await client.connect();
    try {
      return await query(client);
    } finally {
      await client.end();
    }
  };
  const orderStatus = (id: number) => db(async (c) => (await c.query<{ status: string; created_at: Date; updated_at: Date }>("SELECT status, created_at, updated_at FROM orders WHERE id = $1", [id])).rows[0]);
  const logs = () => processes.map((p) => p.log).join("\n");

  async function placeOrder(productId: number, quantity: number): Promise<{ id: number; status: string; total_cents: number }> {
    const res = await fetch(`${apiUrl}/api/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ productId, quantity, email: BUYER }), signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { id: number; status: string; total_cents: number };
    if (res.status !== 201) throw new Error(`POST /api/orders: ${res.status} ${JSON.stringify(body)}\n${logs()}`);
    return body;
  }

  function startWorker(): HostProcess {
    const p = new HostProcess("worker", "src/worker.js", join(dir, "api"), env.worker);
    processes.push(p);
    return p;
  }

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "devstack-shop-home-"));
    work = mkdtempSync(join(tmpdir(), "devstack-shop-run-"));
    ({ dir, profile } = await shopProject());
    const r = run(["up", "--services-only", "--json"]);
    if (r.code !== 0) throw new Error(`up --services-only failed (${r.code}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
    upStdout = r.stdout;
    up = jsonResult<UpResult>(r.stdout);
    // `up` shows secret values by name only ([secret:NAME]); the values come from the store it wrote, read with devstack's own API.
    secrets = secretsByName(await readStoreIn(home, dir, profile, "shop"));
    const printed = up.components ?? {};
    for (const name of ["api", "worker"] as const) if (printed[name]) env[name] = unredact(printed[name], secrets);
    // The printed values are for the component in its pod; on the host the API takes a free port and the
    // worker's heartbeat goes where the host can write (in the pod it is the writable volume).
    const [apiPort, metricsPort] = await freePorts(2);
    env.api = { ...env.api, PORT: String(apiPort), METRICS_PORT: String(metricsPort) };
    env.worker = { ...env.worker, HEARTBEAT_FILE: join(work, "heartbeat") };
    const ci = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: join(dir, "api"), encoding: "utf8", timeout: 180_000 });
    if (ci.status !== 0) throw new Error(`npm ci in the shop's api failed (${ci.status ?? ci.signal}):\n${ci.stdout}\n${ci.stderr}`);
  }, 420_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    if (dir) {
      const down = run(["down", "--purge", "--yes"], 120_000);
      if (down.code !== 0) process.stderr.write(`down --purge failed: ${down.stderr}\n`);
      rmSync(dir, { recursive: true, force: true });
    }
    for (const d of [home, work]) if (d) rmSync(d, { recursive: true, force: true });
  }, 180_000);

  it("runs Postgres, Redis, the object store with the app's bucket, and the SMTP sink, and prints no secret value", () => {
    const status = jsonResult<{ components: { component: string; state: string }[] }>(run(["status", "--json"], 30_000).stdout);
    const states = Object.fromEntries(status.components.map((c) => [c.component, c.state]));
    expect(states).toMatchObject({ postgres: "running", redis: "running", "object-store": "running", smtp: "running" });
    expect(up.servicesOnly).toBe(true);
    expect(up.endpoints.storage?.bucket).toBe("shop-storage");
    const sensitive = secretPlan(loadConfig({ cwd: dir, profile })).stored.filter((v) => v.sensitive).map(displayName);
    expect(sensitive).toEqual(expect.arrayContaining(["API_TOKEN", "database.password", "redis.password"]));
    for (const name of sensitive) expect(upStdout, `the value of ${name}`).not.toContain(secrets[name]);
  });

  it("prints each component's environment: what its code reads, and only the secrets it names", () => {
    expect(Object.keys(up.components ?? {}).sort()).toEqual(["api", "web", "worker"]);
    for (const [name, keys] of Object.entries(NEEDS)) {
      const own = env[name as keyof typeof env];
      expect(keys.filter((k) => !own[k]), `${name}'s environment lacks`).toEqual([]);
      expect(Object.entries(own).filter(([, v]) => v.includes("[secret:")), `${name}'s environment still has redacted values`).toEqual([]);
    }
    expect(env.worker).toMatchObject({ S3_BUCKET: "shop-storage", AWS_ENDPOINT_URL_S3: up.endpoints.storage?.endpoint, S3_FORCE_PATH_STYLE: "true", MAIL_FROM: "orders@shop.example.com" });
    expect(env.worker.REDIS_URL).toMatch(new RegExp(`^redis://default:[^@]+@127\\.0\\.0\\.1:${up.endpoints.redis?.port}$`));
    expect(env.worker.SMTP_URL).toBe(`smtp://127.0.0.1:${up.endpoints.smtp?.port}`);
    // Least privilege: the API never holds the bucket's secret key, the worker never the API's token.
    expect(env.api).not.toHaveProperty("AWS_SECRET_ACCESS_KEY");
    expect(env.worker).not.toHaveProperty("API_TOKEN");
  });

  it("migrates the database, idempotently", () => {
    for (let i = 0; i < 2; i++) {
      const r = spawnSync(process.execPath, ["src/migrate.js"], { cwd: join(dir, "api"), env: { PATH: process.env.PATH, ...env.api }, encoding: "utf8", timeout: 30_000 });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('"msg":"migrated"');
    }
  });

  it("takes an order into Postgres and Redis; the worker fulfils it, writes its receipt to the bucket and mails the buyer", async () => {
    api = new HostProcess("api", "src/server.js", join(dir, "api"), env.api);
    processes.push(api);
    await api.waitFor((l) => l.msg === "listening", 30_000);
    apiUrl = `http://127.0.0.1:${env.api.PORT}`;

    // Before the worker runs, the order waits: pending in Postgres, its id on the Redis list.
    const order = await placeOrder(2, 2);
    expect(order).toMatchObject({ status: "pending", total_cents: 5000 });
    expect((await orderStatus(order.id))?.status).toBe("pending");
    const redis = createClient({ url: env.api.REDIS_URL });
    redis.on("error", () => undefined);
    await redis.connect();
    try {
      expect(await redis.lRange("shop:orders", 0, -1)).toEqual([String(order.id)]);

      worker = startWorker();
      const row = await eventually(async () => ((await orderStatus(order.id))?.status === "fulfilled" ? await orderStatus(order.id) : undefined), 60_000, () => `order ${order.id} fulfilled\n${logs()}`);
      expect(row?.updated_at.getTime()).toBeGreaterThanOrEqual(row?.created_at.getTime() ?? Infinity);
      expect(await redis.lLen("shop:orders")).toBe(0);
    } finally {
      redis.destroy();
    }

    const s3 = new S3Client({
      endpoint: env.worker.AWS_ENDPOINT_URL_S3,
      region: env.worker.AWS_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: env.worker.AWS_ACCESS_KEY_ID as string, secretAccessKey: env.worker.AWS_SECRET_ACCESS_KEY as string },
    });
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: env.worker.S3_BUCKET, Key: `receipts/${order.id}.json` }));
      expect(object.ContentType).toBe("application/json");
      expect(JSON.parse((await object.Body?.transformToString()) ?? "")).toMatchObject({ order: order.id, product: "T-shirt", quantity: 2, total_cents: 5000, email: BUYER });
    } finally {
      s3.destroy();
    }

    const mails = await eventually(
      async () => {
        const all = (await (await fetch(up.endpoints.smtp?.api as string)).json()) as Mail[];
        const ours = all.filter((m) => m.subject === `Your shop order #${order.id}`);
        return ours.length > 0 ? ours : undefined;
      },
      20_000,
      () => `a mail for order ${order.id} in the sink\n${logs()}`,
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to.map((t) => t.address)).toEqual([BUYER]);
    expect(mails[0]?.from.map((f) => f.address)).toEqual(["orders@shop.example.com"]);
    expect(mails[0]?.text).toContain("2 × T-shirt, 50.00 €");

    // The liveness check the pod runs passes on the host too.
    expect(existsSync(env.worker.HEARTBEAT_FILE as string)).toBe(true);
    const alive = spawnSync(process.execPath, ["src/alive.js"], { cwd: join(dir, "api"), env: { PATH: process.env.PATH, ...env.worker }, timeout: 10_000 });
    expect(alive.status).toBe(0);
    expect(worker?.lines.filter((l) => l.level === "error")).toEqual([]);
  });

  it("keeps fulfilling orders after Redis and Postgres restart under it", async () => {
    expect(worker?.running, "the worker from the previous test").toBe(true);
    const status = jsonResult<{ components: { component: string; container: string }[] }>(run(["status", "--json"], 30_000).stdout);
    const names = ["redis", "postgres"].map((c) => status.components.find((s) => s.component === c)?.container as string);
    const restart = spawnSync("docker", ["restart", "-t", "5", ...names], { encoding: "utf8", timeout: 60_000 });
    expect(restart.status, restart.stderr).toBe(0);
    await worker?.waitFor((l) => l.msg === "redis connection lost", 30_000);

    // The API may answer 500 for a moment while Postgres comes back: a buyer would retry too.
    const order = await eventually(() => placeOrder(1, 1).catch(() => undefined), 60_000, () => `an order accepted after the restart\n${logs()}`);
    await eventually(async () => ((await orderStatus(order.id))?.status === "fulfilled" ? true : undefined), 90_000, () => `order ${order.id} fulfilled after the restart\n${logs()}`);
    expect(worker?.running).toBe(true);
    expect(api?.running).toBe(true);
  }, 240_000);

  it("the daily report reads the orders from Postgres", () => {
    const r = spawnSync(process.execPath, ["src/report.js"], { cwd: join(dir, "api"), env: { PATH: process.env.PATH, ...env.api }, encoding: "utf8", timeout: 30_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const line = JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: "daily report", orders: 2, fulfilled: 2, pending: 0, revenue_cents: 6200 });
  });

  it("stops the worker and the API on SIGTERM, within seconds", async () => {
    const started = Date.now();
    expect(await worker?.stop(10_000)).toBe(0);
    expect(await api?.stop(10_000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(worker?.lines.at(-1)?.msg).toBe("worker stopped");
    // Nothing was left behind for the sweep: every order came through Redis.
    expect(worker?.lines.filter((l) => l.msg === "orders queued again")).toEqual([]);
    expect(readFileSync(env.worker.HEARTBEAT_FILE as string, "utf8")).toMatch(/^\d+$/);
  });
});
