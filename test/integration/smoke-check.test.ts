import { createServer, type Server } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smokeCheck } from "../../src/deploy/smoke.js";
import { createCa, issueServerCert, type Pem } from "../../src/stack/tls.js";

// A real HTTPS server on loopback, with a certificate for the app's host from a
// private CA, stands where the ingress stands in a deploy.
let ca: Pem;
let otherCa: Pem;
let server: Server;
let port: number;
let answers: number[] = [];
let hang = false;

beforeAll(async () => {
  ca = await createCa("test root");
  otherCa = await createCa("someone else's root");
  const cert = await issueServerCert(ca, ["hello.localhost"], ["127.0.0.1"]);
  server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    if (hang) return; // never answers
    const status = answers.shift() ?? 200;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ host: req.headers.host, path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const check = (timeoutMs: number, trust = ca.cert) =>
  smokeCheck({ url: "https://hello.localhost/healthz", connectTo: { host: "127.0.0.1", port }, ca: trust, timeoutMs });

describe("the smoke check against a real HTTPS server", () => {
  it("passes on a 2xx through TLS with the host's name", async () => {
    answers = [];
    hang = false;
    expect(await check(5000)).toMatchObject({ ok: true, status: 200, attempts: 1 });
  });

  it("retries with backoff until the app answers", async () => {
    answers = [503, 503, 200];
    const result = await check(10_000);
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 3 });
    expect(result.ms).toBeGreaterThanOrEqual(250 + 500);
  });

  it("fails on an answer that is never 2xx, saying what it got", async () => {
    answers = Array(50).fill(500);
    expect(await check(1500)).toMatchObject({ ok: false, status: 500, error: "answered 500" });
  });

  it("fails when the app never answers within the time", async () => {
    hang = true;
    const result = await check(2000);
    hang = false;
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/no answer|socket hang up|timeout/i);
  }, 20_000);

  it("fails on a certificate that does not chain to the trusted root", async () => {
    answers = [];
    const result = await check(1500, otherCa.cert);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/certificate/i);
  });
});
