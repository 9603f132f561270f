import { createServer } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { connect } from "./db.js";
import { log } from "./log.js";
import { connectQueue, ORDERS } from "./queue.js";
import { placeOrder, products } from "./store.js";

const port = Number(process.env.PORT ?? "8080");
const metricsPort = Number(process.env.METRICS_PORT ?? "9090");
const started = Date.now();
let ordersPlaced = 0;

const pool = connect();
const queue = await connectQueue("shop-api");

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

// Operators' side of the API: they present API_TOKEN.
function trusted(req) {
  const expected = Buffer.from(`Bearer ${process.env.API_TOKEN ?? ""}`);
  const given = Buffer.from(req.headers.authorization ?? "");
  return process.env.API_TOKEN !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
}

async function body(req) {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw Object.assign(new Error("body too large"), { status: 413 });
  }
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw Object.assign(new Error("body is not JSON"), { status: 400 });
  }
}

async function handle(req, res) {
  const url = new URL(req.url ?? "/", "http://api");
  // Routed at /api on the product's host: the ingress keeps the prefix.
  const path = url.pathname.replace(/^\/api(?=\/|$)/, "") || "/";
  if (path === "/healthz") return send(res, 200, { status: "ok" });
  if (path === "/products" && req.method === "GET") return send(res, 200, { products });
  if (path === "/orders" && req.method === "POST") {
    const order = await placeOrder(pool, await body(req));
    if (!order) return send(res, 400, { error: "a known productId, a quantity from 1 to 100 and an email address" });
    ordersPlaced++;
    try {
      await queue.lPush(ORDERS, String(order.id));
    } catch (error) {
      // The order is in Postgres: the worker's sweep picks it up once Redis is back.
      log("warn", "order not queued", { order: order.id, error: error.message });
    }
    log("info", "order placed", { event: "order", order: order.id, total_cents: order.total_cents });
    return send(res, 201, order);
  }
  if (path === "/stats" && req.method === "GET") {
    if (!trusted(req)) return send(res, 401, { error: "unauthorized" });
    const { rows } = await pool.query("SELECT status, count(*)::int AS n FROM orders GROUP BY status ORDER BY status");
    return send(res, 200, { orders: Object.fromEntries(rows.map((r) => [r.status, r.n])), queued: await queue.lLen(ORDERS) });
  }
  return send(res, 404, { error: "not found" });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    if (error.status) return send(res, error.status, { error: error.message });
    log("error", "request failed", { error: error.message, path: req.url });
    if (!res.headersSent) send(res, 500, { error: "internal error" });
  });
});

// A second, named port: reachable inside the cluster only (no route).
const metrics = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(`shop_api_uptime_seconds ${Math.round((Date.now() - started) / 1000)}\nshop_api_orders_placed_total ${ordersPlaced}\n`);
});

process.on("SIGTERM", () => {
  log("info", "shutting down");
  metrics.close();
  server.close(async () => {
    await Promise.allSettled([pool.end(), queue.close()]);
    process.exit(0);
  });
});

server.listen(port, () => log("info", "listening", { port }));
metrics.listen(metricsPort);
