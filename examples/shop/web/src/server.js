import { createServer } from "node:http";
import { log } from "./log.js";

const port = Number(process.env.PORT ?? "3000");
const apiUrl = process.env.API_URL ?? "http://localhost:8080";

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function products() {
  // Server side, inside the cluster: the API's Service (this component calls api).
  const res = await fetch(`${apiUrl}/api/products`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`API answered ${res.status}`);
  return (await res.json()).products;
}

function page(items) {
  const rows = items.map((p) => `<li>${escape(p.name)} — ${(p.price_cents / 100).toFixed(2)} € <button data-id="${p.id}">buy</button></li>`).join("");
  return `<!doctype html><meta charset="utf-8"><title>shop</title><h1>shop</h1>
<label>your email <input id="email" type="email" autocomplete="email" required></label>
<ul>${rows}</ul>
<script>
for (const b of document.querySelectorAll("button")) b.onclick = async () => {
  const email = document.getElementById("email");
  if (!email.reportValidity()) return;
  // In the browser, the same host: /api is routed to the API. The confirmation comes by mail, from the worker.
  const r = await fetch("/api/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ productId: Number(b.dataset.id), email: email.value }) });
  b.textContent = r.ok ? \`ordered (#\${(await r.json()).id})\` : "failed";
};
</script>`;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://web");
  if (url.pathname === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end('{"status":"ok"}');
  }
  if (url.pathname !== "/") {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("not found");
  }
  products()
    .then((items) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page(items));
    })
    .catch((error) => {
      log("error", "page failed", { error: error.message });
      res.writeHead(502, { "content-type": "text/plain" });
      res.end("the shop is closed for a moment");
    });
});

process.on("SIGTERM", () => server.close(() => process.exit(0)));
server.listen(port, () => log("info", "listening", { port }));
