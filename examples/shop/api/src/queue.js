import { createClient } from "redis";
import { log } from "./log.js";

/** The list the API pushes order ids onto and the worker pops them from. */
export const ORDERS = "shop:orders";

/**
 * A client that reconnects by itself after a blip. Commands fail at once
 * while it is disconnected instead of waiting in memory: the API then still
 * takes the order (Postgres has it; the worker's sweep enqueues it later),
 * and the worker keeps its loop, heartbeat and SIGTERM handling turning.
 */
export async function connectQueue(name) {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set");
  const client = createClient({
    url,
    name,
    disableOfflineQueue: true,
    socket: { connectTimeout: 5_000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5_000) },
  });
  let down = false;
  // Without a listener an error event would end the process; the client reconnects on its own.
  client.on("error", (error) => {
    if (!down) log("warn", "redis connection lost", { error: error.message });
    down = true;
  });
  client.on("ready", () => {
    if (down) log("info", "redis connection back");
    down = false;
  });
  await client.connect();
  return client;
}
