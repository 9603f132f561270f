import { spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:https";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as acme from "acme-client";
import nodemailer from "nodemailer";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Snapshot } from "../../src/secrets/store.js";
import { objectStoreClient } from "../../src/stack/standins/object-store.js";
import { readStoreIn } from "../support/store.js";
import { BIN, devstack } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { dockerTierMissing, standinProject } from "../support/standins.js";

const missing = await dockerTierMissing();

interface Done {
  type: "result";
  command: "up";
  ms: number;
  endpoints: {
    postgres: { port: number; database: string; user: string };
    acme: { directory: string; caFile: string };
    smtp: { host: string; port: number; api: string };
    objectStore: { endpoint: string; bucket: string };
  };
  env: Record<string, string>;
}

function lastEvent<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as T;
}

describeWithEngine("Docker engine with stand-in images", missing, "the local stack's services, for real", () => {
  let dir: string;
  let ports: Record<string, number>;
  const home = mkdtempSync(join(tmpdir(), "devstack-stack-home-"));
  const env = { DEVSTACK_HOME: home };
  let done: Done;
  const run = (args: string[]) => devstack(args, { cwd: dir, env, timeoutMs: 240_000 });

  const snapshot = (): Promise<Snapshot> => readStoreIn(home, dir);


  /** An S3 client with the object store's keys as `up` stored them; a wrong secret key when asked. */
  async function s3(secretKey?: string) {
    const s = await snapshot();
    const accessKeyId = s.app.EXPORT_S3_ACCESS_KEY_ID?.value as string;
    return objectStoreClient(done.endpoints.objectStore.endpoint, { accessKeyId, secretAccessKey: secretKey ?? (s.app.EXPORT_S3_SECRET_ACCESS_KEY?.value as string) });
  }

  async function appClient(): Promise<pg.Client> {
    const s = await snapshot();
    const client = new pg.Client({ host: "127.0.0.1", port: ports.postgres, user: s.database.username?.value, password: s.database.password?.value, database: "hello" });
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    ({ dir, ports } = await standinProject());
    const r = run(["up", "--services-only", "--json"]);
    if (r.code !== 0) throw new Error(`up failed: ${r.stdout}\n${r.stderr}`);
    done = lastEvent<Done>(r.stdout);
  }, 300_000);

  afterAll(() => {
    run(["down", "--purge", "--yes"]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("reports every service running in status", () => {
    const r = run(["status", "--json"]);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as { components: { component: string; state: string; health: string }[] };
    expect(status.components.map((c) => `${c.component}:${c.state}`)).toEqual(["object-store:running", "pebble:running", "pebble-challtestsrv:running", "postgres:running", "registry:running", "smtp:running"]);
    expect(status.components.find((c) => c.component === "postgres")?.health).toBe("healthy");
  });

  it("Postgres accepts the app's generated credentials, and only those", async () => {
    const client = await appClient();
    await client.query("CREATE TABLE IF NOT EXISTS kept (note text)");
    await client.query("INSERT INTO kept VALUES ('survives down')");
    expect((await client.query("SELECT current_user")).rows[0].current_user).toBe("hello_app");
    await client.end();
    const wrong = new pg.Client({ host: "127.0.0.1", port: ports.postgres, user: "hello_app", password: "not-the-password", database: "hello" });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
  });

  it("Pebble issues a certificate over HTTP-01 for the local profile's hosts (*.localhost)", async () => {
    const ca = readFileSync(done.endpoints.acme.caFile, "utf8");
    const client = new acme.Client({ directoryUrl: done.endpoints.acme.directory, accountKey: await acme.crypto.createPrivateKey() });
    acme.axios.defaults.httpsAgent = new Agent({ ca });
    const [key, csr] = await acme.crypto.createCsr({ commonName: "hello.localhost", altNames: ["hello.localhost", "grafana.localhost"] });
    const cert = await client.auto({
      csr,
      email: "dev@devstack.test",
      termsOfServiceAgreed: true,
      challengePriority: ["http-01"],
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        // The test server answers HTTP-01 for every name Pebble resolves through it.
        const res = await fetch(`http://127.0.0.1:${ports.acmeTestServer}/add-http01`, { method: "POST", body: JSON.stringify({ token: challenge.token, content: keyAuthorization }) });
        expect(res.ok).toBe(true);
      },
      challengeRemoveFn: async () => undefined,
    });
    expect(key.length).toBeGreaterThan(0);
    const info = acme.crypto.readCertificateInfo(cert);
    expect(info.domains.altNames).toEqual(["hello.localhost", "grafana.localhost"]);
    expect(info.issuer.commonName).toMatch(/Pebble/);
  });

  it("the SMTP sink's API shows a message sent to it", async () => {
    const transport = nodemailer.createTransport({ host: "127.0.0.1", port: done.endpoints.smtp.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: "alerts@devstack.test", to: "oncall@example.com", subject: "error burst in hello", text: "5 errors in 5m" });
    let messages: { subject: string }[] = [];
    // The sink stores a message a moment after SMTP accepts it.
    for (let i = 0; i < 50 && messages.length === 0; i++) {
      messages = (await (await fetch(done.endpoints.smtp.api)).json()) as { subject: string }[];
      if (messages.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(messages.map((m) => m.subject)).toContain("error burst in hello");
  });

  it("the object store has the exports bucket, keeps what is put there, and refuses a wrong secret key", async () => {
    expect(done.endpoints.objectStore).toEqual({ endpoint: `http://127.0.0.1:${ports.objectStore}`, bucket: "exports" });
    expect(done.env).toMatchObject({ EXPORT_S3_ENDPOINT: `http://127.0.0.1:${ports.objectStore}`, EXPORT_S3_BUCKET: "exports" });
    const { HeadBucketCommand, ListBucketsCommand, PutObjectCommand, GetObjectCommand } = await import("@aws-sdk/client-s3");
    const client = await s3();
    try {
      expect((await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(["exports"]);
      await client.send(new HeadBucketCommand({ Bucket: "exports" }));
      await client.send(new PutObjectCommand({ Bucket: "exports", Key: "orders/2026/part-0.parquet", Body: "survives down", ContentType: "application/vnd.apache.parquet" }));
      const got = await client.send(new GetObjectCommand({ Bucket: "exports", Key: "orders/2026/part-0.parquet" }));
      expect(await got.Body?.transformToString()).toBe("survives down");
      expect(got.ContentType).toBe("application/vnd.apache.parquet");
    } finally {
      client.destroy();
    }
    const wrong = await s3("not-the-secret-key-not-the-secret-key-00");
    try {
      const refused = await wrong.send(new ListBucketsCommand({})).then(
        () => undefined,
        (error: Error & { $metadata?: { httpStatusCode?: number } }) => error,
      );
      expect(refused?.name).toBe("SignatureDoesNotMatch");
      expect(refused?.$metadata?.httpStatusCode).toBe(403);
    } finally {
      wrong.destroy();
    }
    // Unsigned requests are refused too; only /health answers without keys.
    expect((await fetch(`${done.endpoints.objectStore.endpoint}/exports/orders/2026/part-0.parquet`)).status).toBe(403);
    expect((await fetch(`${done.endpoints.objectStore.endpoint}/health`)).status).toBe(200);
  });

  it("devstack export --profile local reads the Postgres container and writes to the object store, then --query reads it back", async () => {
    const client = await appClient();
    try {
      await client.query("CREATE TABLE IF NOT EXISTS visits (id bigserial PRIMARY KEY, path text NOT NULL, user_agent text, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())");
      await client.query("INSERT INTO visits (path, updated_at) SELECT CASE WHEN g % 10 = 0 THEN '/healthz' ELSE '/p/' || g END, timestamptz '2026-01-01' + g * interval '1 second' FROM generate_series(1, 500) g");
    } finally {
      await client.end();
    }
    const r = run(["export", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = lastEvent<{ destination: string; exports: { rows: number; files: string[] }[] }>(r.stdout);
    // The where: of examples/hello leaves out health checks.
    expect(result).toMatchObject({ destination: "s3://exports/", exports: [{ rows: 450, files: [expect.stringMatching(/^s3:\/\/exports\/visits\/exported_at=/)] }] });
    const secret = (await snapshot()).app.EXPORT_S3_SECRET_ACCESS_KEY?.value as string;
    expect(r.stdout + r.stderr).not.toContain(secret);
    const q = run(["export", "--query", "SELECT count(*) AS n, min(path) AS first FROM visits", "--json"]);
    expect(q.code, q.stderr).toBe(0);
    const lines = q.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; row?: unknown; rows?: number });
    expect(lines.filter((l) => l.type === "event").map((l) => l.row)).toEqual([{ n: "450", first: "/p/1" }]);
    expect(lines.at(-1)).toMatchObject({ type: "result", rows: 1 });
  });

  it("down stops everything and keeps the data; up again brings it back", async () => {
    expect(run(["down"]).code).toBe(0);
    const stopped = JSON.parse(run(["status", "--json"]).stdout) as { components: { state: string }[] };
    expect(stopped.components.every((c) => c.state === "exited")).toBe(true);
    const plan = JSON.parse(run(["up", "--services-only", "--dry-run", "--json"]).stdout) as { plan: { containers: { action: string }[] } };
    expect(plan.plan.containers.every((c) => c.action === "start")).toBe(true);
    const again = run(["up", "--services-only", "--json"]);
    expect(again.code).toBe(0);
    const client = await appClient();
    expect((await client.query("SELECT note FROM kept")).rows).toEqual([{ note: "survives down" }]);
    await client.end();
    const { GetObjectCommand } = await import("@aws-sdk/client-s3");
    const store = await s3();
    try {
      const kept = await store.send(new GetObjectCommand({ Bucket: "exports", Key: "orders/2026/part-0.parquet" }));
      expect(await kept.Body?.transformToString()).toBe("survives down");
    } finally {
      store.destroy();
    }
  }, 180_000);

  it("a second up with nothing changed reuses every container", () => {
    const plan = JSON.parse(run(["up", "--services-only", "--dry-run", "--json"]).stdout) as { plan: { network: { action: string }; containers: { action: string }[] } };
    expect(plan.plan.network.action).toBe("reuse");
    expect(plan.plan.containers.every((c) => c.action === "reuse")).toBe(true);
    const r = run(["up", "--services-only", "--json"]);
    expect(r.code).toBe(0);
  }, 120_000);

  it("refuses a port already in use, naming it and the profile key that moves it", async () => {
    expect(run(["down"]).code).toBe(0);
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.smtpUi, "127.0.0.1", resolve));
    try {
      const r = run(["up", "--services-only"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${ports.smtpUi} on 127.0.0.1 (smtp, mail web UI and API) is already in use`);
      expect(r.stderr).toContain("move ports.smtpUi in profiles/local.yaml to free ports");
    } finally {
      blocker.close();
    }
    expect(run(["up", "--services-only"]).code).toBe(0);
  }, 120_000);

  it("names an image that cannot be pulled and the override that fixes it, and changes nothing", () => {
    const local = readFileSync(join(dir, "profiles", "local.yaml"), "utf8");
    writeFileSync(join(dir, "profiles", "mirrorless.yaml"), local.replace("devstack-standin/postgres:bookworm", "devstack-standin/postgres-missing:1"));
    const r = run(["up", "--services-only", "--profile", "mirrorless"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("image devstack-standin/postgres-missing:1 (postgres) is not here and cannot be pulled");
    expect(r.stderr).toContain("images:");
    expect(r.stderr).toContain("postgres: registry.example.com/mirror/postgres-missing:1");
    const status = JSON.parse(run(["status", "--json"]).stdout) as { components: { component: string; state: string }[] };
    expect(status.components.find((c) => c.component === "postgres")?.state).toBe("running");
  }, 120_000);

  it("Ctrl-C stops between steps, and the next up resumes", async () => {
    expect(run(["down", "--purge", "--yes"]).code).toBe(0);
    const child = spawn(process.execPath, [BIN, "up", "--services-only", "--json"], { cwd: dir, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    let sent = false;
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
      // One Ctrl-C: a second one quits at once, by design.
      if (!sent && stdout.includes('"title":"registry: create (not there yet)","status":"ok"')) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(130);
    expect(stderr).toContain("stopping after the current step");
    // With --json the error is the stream's last object.
    const last = JSON.parse(stdout.trim().split("\n").at(-1) as string) as { type: string; kind: string; message: string };
    expect(last).toMatchObject({ type: "error", kind: "interrupted", message: "interrupted: stopped between steps, nothing is half written" });
    expect(stdout).not.toContain('"type":"result"');
    const again = run(["up", "--services-only", "--json"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('"title":"registry: reuse (running with the same settings)"');
  }, 180_000);

  it("down --purge leaves no container, volume or network of the project", () => {
    expect(run(["down", "--purge", "--yes"]).code).toBe(0);
    const id = (JSON.parse(run(["status", "--json"]).stdout) as { stack: string }).stack;
    const left = (what: string[]) => spawnSync("docker", [...what, "--filter", `label=devstack.project=${id}`, "-q"], { encoding: "utf8" }).stdout.trim();
    expect(left(["ps", "-a"])).toBe("");
    expect(left(["volume", "ls"])).toBe("");
    expect(left(["network", "ls"])).toBe("");
  }, 120_000);
});
