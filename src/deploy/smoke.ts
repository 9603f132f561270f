import { request } from "node:https";
import { sleep } from "../stack/wait.js";
import { DevstackError } from "../errors.js";

export interface SmokeOptions {
  /** The canonical URL and health path, e.g. https://hello.localhost/healthz */
  url: string;
  /** Connect here instead of resolving the host (the local ingress on 127.0.0.1:<https port>). */
  connectTo?: { host: string; port: number };
  /** Extra trusted roots, e.g. the local ACME server's. */
  ca?: string;
  timeoutMs: number;
}

export interface SmokeResult {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
  ms: number;
}

function once(options: SmokeOptions, timeoutMs: number): Promise<number> {
  const url = new URL(options.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.connectTo?.host ?? url.hostname,
        port: options.connectTo?.port ?? (url.port ? Number(url.port) : 443),
        path: `${url.pathname}${url.search}`,
        servername: url.hostname,
        headers: { host: url.host, "user-agent": "devstack-smoke-check" },
        ...(options.ca ? { ca: options.ca } : {}),
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new DevstackError(`no answer within ${Math.round(timeoutMs / 1000)} s`, { kind: "timeout" })));
    req.end();
  });
}

/**
 * GETs the health URL through the real ingress and TLS, with backoff, until
 * it answers 2xx or the time is up. TLS errors count as failures: a
 * certificate that does not verify is not a deploy that works.
 */
export async function smokeCheck(options: SmokeOptions): Promise<SmokeResult> {
  const started = Date.now();
  let attempts = 0;
  let delay = 250;
  let last: Pick<SmokeResult, "status" | "error">;
  for (;;) {
    attempts++;
    try {
      // No single attempt may outlast the whole check.
      const status = await once(options, Math.max(500, Math.min(5000, options.timeoutMs - (Date.now() - started))));
      if (status >= 200 && status < 300) return { ok: true, attempts, status, ms: Date.now() - started };
      last = { status, error: `answered ${status}` };
    } catch (error) {
      last = { error: (error as Error).message };
    }
    if (Date.now() - started + delay > options.timeoutMs) return { ok: false, attempts, ...last, ms: Date.now() - started };
    await sleep(delay);
    delay = Math.min(delay * 2, 5000);
  }
}
