import { createServer } from "node:http";
import { connect, migrate } from "./db.js";
import { log } from "./log.js";

const port = Number(process.env.PORT ?? "8080");
const pool = connect();
let ready = false;

async function handle(req, res) {
  const url = new URL(req.url ?? "/", "http://app");
  if (url.pathname === "/healthz") {
    // Ready only once the database answers: the rollout waits on this.
    await pool.query("SELECT 1");
    return send(res, ready ? 200 : 503, { status: ready ? "ok" : "starting" });
  }
  if (url.pathname === "/boom") {
    log("error", "boom requested", { event: "boom", path: url.pathname });
    return send(res, 500, { error: "boom" });
  }
  if (url.pathname === "/" && req.method === "GET") {
    await pool.query("INSERT INTO visits (path, user_agent) VALUES ($1, $2)", [url.pathname, req.headers["user-agent"] ?? null]);
    const { rows } = await pool.query("SELECT count(*)::int AS visits FROM visits");
    log("info", "visit", { event: "visit", visits: rows[0].visits });
    return send(res, 200, { app: "hello", greeting: process.env.GREETING ?? "hello", visits: rows[0].visits, url: process.env.PUBLIC_URL });
  }
  return send(res, 404, { error: "not found" });
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  const started = process.hrtime.bigint();
  handle(req, res)
    .catch((error) => {
      log("error", "request failed", { error: error.message, path: req.url });
      if (!res.headersSent) send(res, 500, { error: "internal error" });
    })
    .finally(() => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log("debug", "request", { method: req.method, path: req.url, status: res.statusCode, duration_ms: Math.round(ms * 10) / 10 });
    });
});

// Kubernetes sends SIGTERM after the preStop delay; finish in-flight requests.
process.on("SIGTERM", () => {
  log("info", "shutting down");
  server.close(() => pool.end().finally(() => process.exit(0)));
});

await migrate(pool);
ready = true;
server.listen(port, () => log("info", "listening", { port }));
