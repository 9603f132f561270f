// The worker: no port, no Service. It takes order ids from Redis, writes a
// receipt to the bucket, mails the customer and marks the order fulfilled in
// Postgres. It touches a heartbeat file (on its writable volume) on every
// turn of its loop, which its liveness check reads: a worker stuck on a dead
// connection stops touching it and is restarted.
//
// Delivery is at least once. Postgres is the truth and Redis only says what
// to look at: a job lost on the way (Redis down when the order came in, a
// worker killed mid-job) is found again by the sweep, and a job for an order
// that is no longer pending is dropped. A retry after a failure between the
// mail and the UPDATE mails the customer twice; nothing is ever lost.
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import { connect } from "./db.js";
import { log } from "./log.js";
import { mailer, sendConfirmation } from "./mail.js";
import { connectQueue, ORDERS } from "./queue.js";
import { receiptStore, writeReceipt } from "./receipts.js";
import { productById } from "./store.js";

const heartbeat = process.env.HEARTBEAT_FILE ?? "/tmp/heartbeat";
// How long an order may stay pending after it was queued before the sweep queues it again.
const STALE = "2 minutes";
const SWEEP_EVERY_MS = 30_000;

const pool = connect();
const queue = await connectQueue(`shop-worker-${hostname()}`);
const s3 = receiptStore();
const transport = mailer();

let stopping = false;
let waiting = false;
const stopped = new AbortController();
process.on("SIGTERM", () => {
  stopping = true;
  stopped.abort();
  // Idle in BRPOP: give up the wait rather than sit out its timeout. Mid-job, the job finishes first.
  if (waiting) queue.destroy();
});

// A back-off that SIGTERM cuts short.
const sleep = (ms) => delay(ms, undefined, { signal: stopped.signal }).catch(() => undefined);

/** Fulfils one order: "fulfilled", or "skipped" when there is nothing (more) to do for it. */
async function fulfil(id) {
  const client = await pool.connect();
  let broken;
  try {
    // Two workers may hold the same id (a sweep raced a retry): the lock lets one through. It is keyed by the
    // order id alone, which is safe because the app has its database to itself, and it dies with the connection.
    const { rows: locks } = await client.query("SELECT pg_try_advisory_lock($1::bigint) AS locked", [id]);
    if (!locks[0].locked) return "skipped";
    try {
      const { rows } = await client.query("SELECT id::int, product_id, quantity, total_cents, email FROM orders WHERE id = $1 AND status = 'pending'", [id]);
      const order = rows[0];
      if (!order) return "skipped";
      const receipt = {
        order: order.id,
        product: productById(order.product_id)?.name ?? `product ${order.product_id}`,
        quantity: order.quantity,
        total_cents: order.total_cents,
        email: order.email,
        fulfilled_at: new Date().toISOString(),
      };
      const key = await writeReceipt(s3, receipt);
      await sendConfirmation(transport, receipt);
      // Outside any longer transaction, so updated_at is close to the commit the export's cursor sees.
      await client.query("UPDATE orders SET status = 'fulfilled', updated_at = now() WHERE id = $1 AND status = 'pending'", [id]);
      log("info", "order fulfilled", { event: "fulfilled", order: id, receipt: key });
      return "fulfilled";
    } finally {
      await client.query("SELECT pg_advisory_unlock($1::bigint)", [id]);
    }
  } catch (error) {
    broken = error;
    throw error;
  } finally {
    // A client whose connection failed is not handed out again.
    client.release(broken);
  }
}

/** Queues again the orders whose job was lost; claiming them by queued_at keeps two workers from queueing one twice. */
async function sweep() {
  const { rows } = await pool.query(
    `UPDATE orders SET queued_at = now()
      WHERE id IN (SELECT id FROM orders WHERE status = 'pending' AND queued_at < now() - $1::interval
                   ORDER BY queued_at LIMIT 100 FOR UPDATE SKIP LOCKED)
      RETURNING id::int`,
    [STALE],
  );
  if (rows.length === 0) return;
  await queue.lPush(ORDERS, rows.map((r) => String(r.id)));
  log("warn", "orders queued again", { event: "requeued", orders: rows.map((r) => r.id) });
}

// A restart of Redis or Postgres costs a few failed turns; only failures that outlast it (about half a
// minute of back-off) are errors, which the worker-errors alert counts.
const level = (failures) => (failures >= 5 ? "error" : "warn");
const backoff = (failures) => Math.min(500 * 2 ** failures, 30_000);

log("info", "worker started", { queue: ORDERS });
// Consecutive failures of the loop itself (Redis or Postgres unreachable) and of jobs, each backing off on its own.
let outage = 0;
let retries = 0;
let swept = 0;
let beating = true;
while (!stopping) {
  try {
    writeFileSync(heartbeat, String(Date.now()));
    beating = true;
  } catch (error) {
    // Off the cluster (on the host, with HEARTBEAT_FILE where a volume would be) nothing reads it: say so once and work on.
    if (beating) log("warn", "heartbeat not written", { file: heartbeat, error: error.message });
    beating = false;
  }
  try {
    if (Date.now() - swept > SWEEP_EVERY_MS) {
      swept = Date.now();
      await sweep();
    }
    if (stopping) break;
    // The API pushes on the left: popping on the right takes the oldest first. The timeout keeps the loop turning.
    waiting = true;
    const job = await queue.brPop(ORDERS, 5).finally(() => (waiting = false));
    outage = 0;
    if (!job) continue;
    const id = Number(job.element);
    if (!Number.isSafeInteger(id) || id < 1) {
      log("error", "job dropped: not an order id", { job: job.element });
      continue;
    }
    try {
      await fulfil(id);
      retries = 0;
    } catch (error) {
      retries++;
      log(level(retries), "order not fulfilled, will retry", { order: id, error: error.message });
      // Back of the line; if Redis is down too, the sweep finds the order again.
      await queue.lPush(ORDERS, String(id)).catch(() => undefined);
      await sleep(backoff(retries));
    }
  } catch (error) {
    if (stopping) break;
    outage++;
    log(level(outage), "worker loop failed", { error: error.message });
    await sleep(backoff(outage));
  }
}
await Promise.allSettled([pool.end(), queue.isOpen ? queue.close() : undefined]);
transport.close();
s3.destroy();
log("info", "worker stopped");
