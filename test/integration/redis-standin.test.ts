import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@redis/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Snapshot } from "../../src/secrets/store.js";
import { objectStoreClient } from "../../src/stack/standins/object-store.js";
import { devstack, type CliResult } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { dockerTierMissing, standinProject } from "../support/standins.js";
import { readStoreIn } from "../support/store.js";

const missing = await dockerTierMissing();

interface Done {
  endpoints: {
    redis: { host: string; port: number; username: string; password: string; url: string };
    storage: { endpoint: string; bucket: string; region: string };
    objectStore: { endpoint: string; bucket: string };
  };
  env: Record<string, string>;
  steps: { title: string; status: string }[];
}

const last = <T>(r: CliResult): T => JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as T;

/** A client of the Redis container that reports NOAUTH/WRONGPASS instead of retrying. */
async function redisAs(port: number, password?: string) {
  const client = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false }, disableClientInfo: true, ...(password === undefined ? {} : { username: "default", password }) });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function refusal(port: number, password?: string): Promise<string> {
  return redisAs(port, password).then(
    async (c) => {
      c.destroy();
      return "accepted";
    },
    (error: Error) => error.message.split(" ")[0] as string,
  );
}

describeWithEngine("Docker engine with stand-in images", missing, "the Redis stand-in and the app's bucket, for real", () => {
  let dir: string;
  let ports: Record<string, number>;
  const home = mkdtempSync(join(tmpdir(), "devstack-redis-home-"));
  const env = { DEVSTACK_HOME: home };
  const run = (args: string[]) => devstack(args, { cwd: dir, env, timeoutMs: 240_000 });
  const password = async () => ((await readStoreIn(home, dir)) as Snapshot).redis.password?.value as string;
  let done: Done;
  let printed = "";
  let stack = "";

  const inspect = () => spawnSync("docker", ["inspect", `devstack-${stack}-redis`], { encoding: "utf8" }).stdout;
  const started = () => (JSON.parse(inspect()) as { Id: string; State: { StartedAt: string } }[]).map((c) => `${c.Id}@${c.State.StartedAt}`)[0];

  beforeAll(async () => {
    ({ dir, ports } = await standinProject({ app: "redis: {}\nstorage: {}\nmail: {from: hello@example.com}\n" }));
    const r = run(["up", "--services-only", "--json"]);
    if (r.code !== 0) throw new Error(`up failed: ${r.stdout}\n${r.stderr}`);
    printed += r.stdout + r.stderr;
    done = last<Done>(r);
    stack = (JSON.parse(run(["status", "--json"]).stdout) as { stack: string }).stack;
  }, 300_000);

  afterAll(() => {
    run(["down", "--purge", "--yes"]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("takes the stored password, and refuses clients without it or with another", async () => {
    const stored = await password();
    expect(stored).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(await refusal(ports.redis as number)).toBe("NOAUTH");
    expect(await refusal(ports.redis as number, "not-the-password-0123")).toBe("WRONGPASS");
    const client = await redisAs(ports.redis as number, stored);
    try {
      expect(await client.set("kept", "survives rotation")).toBe("OK");
      expect(await client.get("kept")).toBe("survives rotation");
    } finally {
      client.destroy();
    }
  });

  it("reports where Redis and the bucket are, with every secret masked in what devstack prints", async () => {
    const stored = await password();
    expect(done.endpoints.redis).toEqual({ host: "127.0.0.1", port: ports.redis, username: "default", password: "[secret:redis.password]", url: `redis://default:[secret:redis.password]@127.0.0.1:${ports.redis}` });
    expect(done.endpoints.storage).toEqual({ endpoint: `http://127.0.0.1:${ports.objectStore}`, bucket: "hello-storage", region: "us-east-1" });
    expect(done.env).toMatchObject({
      REDIS_URL: `redis://default:[secret:redis.password]@127.0.0.1:${ports.redis}`,
      S3_BUCKET: "hello-storage",
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${ports.objectStore}`,
      S3_FORCE_PATH_STYLE: "true",
      AWS_SECRET_ACCESS_KEY: "[secret:EXPORT_S3_SECRET_ACCESS_KEY]",
      SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
      MAIL_FROM: "hello@example.com",
    });
    const text = run(["up", "--services-only"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`export REDIS_URL="redis://default:[secret:redis.password]@127.0.0.1:${ports.redis}"`);
    printed += text.stdout + text.stderr;
    expect(printed).not.toContain(stored);
  });

  it("keeps the password out of docker inspect: command, env, labels and health check", async () => {
    const stored = await password();
    const [info] = JSON.parse(inspect()) as { Config: { Cmd: string[]; Env: string[]; Labels: Record<string, string>; User: string }; State: { Health?: { Status: string } } }[];
    expect(info?.Config.Env).toContain("REDIS_PASSWORD_FILE=/devstack/secrets/REDIS_PASSWORD");
    expect(info?.Config.User).toBe("redis");
    expect(inspect()).not.toContain(stored);
    // The health check authenticates with the file: healthy means the server takes the stored password.
    let health = "";
    for (let i = 0; i < 60 && health !== "healthy"; i++) {
      const status = JSON.parse(run(["status", "--json"]).stdout) as { components: { component: string; health: string; url: string | null }[] };
      const redis = status.components.find((c) => c.component === "redis");
      expect(redis?.url).toBe(`redis://127.0.0.1:${ports.redis}`);
      health = redis?.health ?? "";
      if (health !== "healthy") await new Promise((r) => setTimeout(r, 500));
    }
    expect(health).toBe("healthy");
  });

  it("creates the app's bucket beside the exports bucket", async () => {
    const s = await readStoreIn(home, dir);
    const { ListBucketsCommand, PutObjectCommand } = await import("@aws-sdk/client-s3");
    const client = await objectStoreClient(done.endpoints.storage.endpoint, { accessKeyId: s.app.EXPORT_S3_ACCESS_KEY_ID?.value as string, secretAccessKey: s.app.EXPORT_S3_SECRET_ACCESS_KEY?.value as string });
    try {
      expect((await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name).sort()).toEqual(["exports", "hello-storage"]);
      await client.send(new PutObjectCommand({ Bucket: "hello-storage", Key: "receipts/1.txt", Body: "paid" }));
    } finally {
      client.destroy();
    }
  });

  it("applies a rotated password on the next up, live: the container and its data stay", async () => {
    const before = await password();
    const running = started();
    const rotated = run(["secrets", "rotate", "REDIS_URL"]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain("redis.password has a new value");
    const after = await password();
    expect(after).not.toBe(before);
    const again = run(["up", "--services-only", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    printed += again.stdout + again.stderr;
    // CONFIG SET with the password it started with: not recreated, not even restarted.
    expect(started()).toBe(running);
    expect(await refusal(ports.redis as number, before)).toBe("WRONGPASS");
    const client = await redisAs(ports.redis as number, after);
    try {
      expect(await client.get("kept")).toBe("survives rotation");
    } finally {
      client.destroy();
    }
    // Its secret file follows, so a restart keeps the new password.
    expect(spawnSync("docker", ["restart", `devstack-${stack}-redis`]).status).toBe(0);
    let answer = "";
    for (let i = 0; i < 40 && answer !== "accepted"; i++) {
      answer = await refusal(ports.redis as number, after).catch((e: Error) => e.message);
      if (answer !== "accepted") await new Promise((r) => setTimeout(r, 250));
    }
    expect(answer).toBe("accepted");
    expect(inspect()).not.toContain(after);
    expect(printed).not.toContain(before);
    expect(printed).not.toContain(after);
  }, 180_000);

  it("restarts a Redis whose password was changed by hand, so it takes the stored one again", async () => {
    const stored = await password();
    const client = await redisAs(ports.redis as number, stored);
    try {
      await client.configSet("requirepass", "changed-by-hand-0123456789");
    } finally {
      client.destroy();
    }
    expect(await refusal(ports.redis as number, stored)).toBe("WRONGPASS");
    const running = started();
    const again = run(["up", "--services-only", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(await refusal(ports.redis as number, stored)).toBe("accepted");
    expect(started()).not.toBe(running);
  }, 180_000);

  it("down --purge removes the Redis volume with the rest", () => {
    const volume = `devstack-${stack}-redis`;
    expect(spawnSync("docker", ["volume", "inspect", volume]).status).toBe(0);
    expect(run(["down", "--purge", "--yes"]).code).toBe(0);
    expect(spawnSync("docker", ["volume", "inspect", volume]).status).not.toBe(0);
    expect(spawnSync("docker", ["ps", "-a", "-q", "--filter", `label=devstack.project=${stack}`], { encoding: "utf8" }).stdout.trim()).toBe("");
  }, 120_000);
});
