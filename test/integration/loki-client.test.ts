import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LokiClient } from "../../src/logs/loki.js";
import { ROOT } from "../support/cli.js";

// No Loki binary can run here: a loopback server answers with fixtures that
// follow Loki's documented HTTP API (query_range, labels), and Loki's error
// format (400 with the parser's message as plain text).
const fixture = (name: string) => readFileSync(join(ROOT, "test", "fixtures", "loki", name), "utf8");
let server: Server;
let base: string;
const seen: URL[] = [];
const pushed: unknown[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://loki");
    seen.push(url);
    if (url.pathname === "/loki/api/v1/labels") return void res.end(fixture("labels.json"));
    if (url.pathname === "/loki/api/v1/push" && req.method === "POST") {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        pushed.push(JSON.parse(body));
        res.writeHead(204).end();
      });
      return;
    }
    if (url.pathname === "/loki/api/v1/query_range") {
      const query = url.searchParams.get("query") ?? "";
      if (query.includes("sum(")) return void res.end(fixture("query_range-matrix.json"));
      if (!query.startsWith("{")) {
        res.writeHead(400, { "content-type": "text/plain" });
        return void res.end("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER\n");
      }
      return void res.end(fixture("query_range-streams.json"));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the Loki client", () => {
  const range = { start: new Date("2025-11-26T11:00:00Z"), end: new Date("2025-11-26T13:00:00Z") };

  it("sends LogQL with nanosecond bounds and returns lines with their labels, newest first", async () => {
    const lines = await new LokiClient(base).queryRange({ query: '{app="hello", level="error"}', ...range, limit: 50 });
    const sent = seen.at(-1) as URL;
    expect(sent.searchParams.get("start")).toBe("1764154800000000000");
    expect(sent.searchParams.get("limit")).toBe("50");
    expect(sent.searchParams.get("direction")).toBe("backward");
    expect(lines.map((l) => JSON.parse(l.line).msg)).toEqual(["request failed", "cleanup failed", "boom requested"]);
    expect(lines[1]?.labels).toMatchObject({ component: "job-cleanup", level: "error" });
    expect(lines[2]?.time.toISOString()).toBe("2025-11-26T12:00:00.000Z");
  });

  it("relays Loki's own message for a bad query", async () => {
    await expect(new LokiClient(base).queryRange({ query: "app=hello", ...range })).rejects.toThrow("Loki rejected the query: parse error at line 1, col 1: syntax error: unexpected IDENTIFIER");
  });

  it("refuses metric queries, which return no lines", async () => {
    await expect(new LokiClient(base).queryRange({ query: 'sum(count_over_time({app="hello"}[5m]))', ...range })).rejects.toThrow(/returns matrix, not log lines/);
  });

  it("pushes a line with its labels in Loki's push format", async () => {
    await new LokiClient(base).push({ app: "hello", environment: "local", component: "devstack-deploy" }, '{"msg":"deploy","revision":3}', new Date("2026-11-26T12:00:00Z"));
    expect(pushed).toEqual([{ streams: [{ stream: { app: "hello", environment: "local", component: "devstack-deploy" }, values: [["1795694400000000000", '{"msg":"deploy","revision":3}']] }] }]);
  });

  it("lists labels", async () => {
    expect(await new LokiClient(base).labels()).toContain("level");
  });
});
