import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { HELLO } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { freePort } from "../support/ports.js";
import { findPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";

const postgres = findPostgres();

interface LogLine {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

describeWithEngine("PostgreSQL", "missing" in postgres ? postgres.missing : undefined, "examples/hello against a real Postgres", () => {
  let pg: TestPostgres;
  let server: ChildProcess;
  let base: string;
  let databaseUrl: string;
  const lines: LogLine[] = [];
  const raw: string[] = [];

  beforeAll(async () => {
    pg = await startPostgres((postgres as { bin: string }).bin);
    databaseUrl = pg.database("hello", "hello-test-password");
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [join(HELLO, "src", "server.js")], {
      env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), PUBLIC_URL: base },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      let buffer = "";
      server.stdout?.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          raw.push(line);
          lines.push(JSON.parse(line) as LogLine);
          if (lines.at(-1)?.msg === "listening") resolve();
        }
      });
      server.once("exit", (code) => reject(new Error(`hello exited with ${code} before listening`)));
    });
  });

  afterAll(() => {
    if (server && server.exitCode === null) server.kill("SIGKILL");
    pg?.stop();
  });

  it("answers the health check once the database is reachable", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("writes each visit to Postgres and reads the count back", async () => {
    const first = (await (await fetch(`${base}/`)).json()) as { visits: number };
    const second = (await (await fetch(`${base}/`)).json()) as { visits: number };
    expect(second.visits).toBe(first.visits + 1);
    expect(Number(pg.sql("SELECT count(*) FROM visits", "hello").trim())).toBe(second.visits);
  });

  it("logs one JSON object per line with time, level and message", async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    // Both lines reach the pipe a moment after the response (the request line when it has finished): wait for them, bounded.
    await expect.poll(() => lines.some((l) => l.msg === "boom requested") && lines.some((l) => l.msg === "request" && l.path === "/boom"), { timeout: 5_000, interval: 20 }).toBe(true);
    expect(raw.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
      expect(["debug", "info", "warn", "error"]).toContain(line.level);
      expect(typeof line.msg).toBe("string");
    }
    expect(lines).toContainEqual(expect.objectContaining({ level: "error", msg: "boom requested", event: "boom" }));
    expect(lines).toContainEqual(expect.objectContaining({ level: "debug", msg: "request", status: 500, path: "/boom" }));
  });

  it("runs the migration and the cron job as their own processes", () => {
    const env = { ...process.env, DATABASE_URL: databaseUrl, RETENTION_DAYS: "30" };
    const migrate = spawnSync(process.execPath, [join(HELLO, "src", "migrate.js")], { env, encoding: "utf8" });
    expect(migrate.status).toBe(0);
    expect(JSON.parse(migrate.stdout.trim())).toMatchObject({ level: "info", msg: "migrated" });

    pg.sql("INSERT INTO visits (path, created_at) VALUES ('/old', now() - interval '60 days')", "hello");
    const cleanup = spawnSync(process.execPath, [join(HELLO, "src", "cleanup.js")], { env, encoding: "utf8" });
    expect(cleanup.status).toBe(0);
    expect(JSON.parse(cleanup.stdout.trim())).toMatchObject({ msg: "cleanup done", deleted: 1, retention_days: 30 });
    expect(pg.sql("SELECT count(*) FROM visits WHERE path = '/old'", "hello").trim()).toBe("0");
  });

  it("finishes in-flight work and exits 0 on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
