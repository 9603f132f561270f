// The worker: no port, no Service. It fulfils pending orders and touches a
// heartbeat file (on its writable volume) that its liveness check reads.
import { writeFileSync } from "node:fs";
import { api } from "./client.js";
import { log } from "./log.js";

const heartbeat = process.env.HEARTBEAT_FILE ?? "/tmp/heartbeat";
let stopping = false;

async function tick() {
  const { orders } = await api("/orders/pending");
  for (const order of orders) {
    await api(`/orders/${order.id}/fulfil`, { method: "POST" });
    log("info", "order fulfilled", { event: "fulfilled", order: order.id });
  }
}

process.on("SIGTERM", () => {
  stopping = true;
});

log("info", "worker started", { api: process.env.API_URL });
while (!stopping) {
  try {
    await tick();
  } catch (error) {
    log("error", "worker tick failed", { error: error.message });
  }
  writeFileSync(heartbeat, String(Date.now()));
  await new Promise((resolve) => setTimeout(resolve, 2000));
}
log("info", "worker stopped");
