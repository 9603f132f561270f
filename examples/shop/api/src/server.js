import { createServer } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { log } from "./log.js";
import { orders, placeOrder, products } from "./store.js";

const port = Number(process.env.PORT ?? "8080");
const metricsPort = 9090;
const started = Date.now();

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function trusted(req) {
  const expected = Buffer.from(`Bearer ${process.env.API_TOKEN ?? ""}`);
  const given = Buffer.from(req.headers.authorization ?? "");
  return process.env.API_TOKEN !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
}

async function body(req) {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw new Error("body too large");
  }
  return text ? JSON.parse(text) : {};
}

async function handle(req, res) {
  const url = new URL(req.url ?? "/", "http://api");
  // Routed at /api on the product's host: the ingress keeps the prefix.
  const path = url.pathname.replace(/^\/api(?=\/|$)/, "") || "/";
  if (path === "/healthz") return send(res, 200, { status: "ok" });
  if (path === "/products" && req.method === "GET") return send(res, 200, { products });
  if (path === "/orders" && req.method === "POST") {
    const { productId, quantity } = await body(req);
    const order = placeOrder(productId, quantity ?? 1);
    if (!order) return send(res, 400, { error: "a known productId and a positive quantity" });
    log("info", "order placed", { event: "order", order: order.id, total_cents: order.total_cents });
    return send(res, 201, order);
  }
  // The worker's and the cron job's side of the API: they present API_TOKEN.
  if (path === "/orders/pending" && req.method === "GET") {
    if (!trusted(req)) return send(res, 401, { error: "unauthorized" });
    return send(res, 200, { orders: orders.filter((o) => o.status === "pending") });
  }
  const done = /^\/orders\/(\d+)\/fulfil$/.exec(path);
  if (done && req.method === "POST") {
    if (!trusted(req)) return send(res, 401, { error: "unauthorized" });
    const order = orders.find((o) => o.id === Number(done[1]));
    if (!order) return send(res, 404, { error: "no such order" });
    Object.assign(order, { status: "fulfilled", updated_at: new Date().toISOString() });
    return send(res, 200, order);
  }
  if (path === "/stats" && req.method === "GET") {
    if (!trusted(req)) return send(res, 401, { error: "unauthorized" });
    return send(res, 200, { orders: orders.length, fulfilled: orders.filter((o) => o.status === "fulfilled").length });
  }
  return send(res, 404, { error: "not found" });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    log("error", "request failed", { error: error.message, path: req.url });
    if (!res.headersSent) send(res, 500, { error: "internal error" });
  });
});

// A second, named port: reachable inside the cluster only (no route).
const metrics = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(`shop_api_uptime_seconds ${Math.round((Date.now() - started) / 1000)}\nshop_api_orders_total ${orders.length}\n`);
});

process.on("SIGTERM", () => {
  log("info", "shutting down");
  metrics.close();
  server.close(() => process.exit(0));
});

server.listen(port, () => log("info", "listening", { port, database: process.env.DATABASE_URL ? "configured" : "none" }));
metrics.listen(metricsPort);
