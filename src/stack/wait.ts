import { DevstackError } from "../errors.js";
import { connect } from "node:net";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retries `probe` until it returns a value or the time is up; the last error explains the timeout. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250, fix = `see why in its logs (\`docker logs\` of its container, or \`devstack status\`), then run the command again: what is already up is reused`): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new DevstackError(`${what} did not become ready in ${Math.round(timeoutMs / 1000)} s${last ? ` (last answer: ${(last as Error).message})` : ""}`, { fix, kind: "timeout" });
    await sleep(intervalMs);
  }
}

export function tcpOpen(port: number, host = "127.0.0.1"): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(undefined));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}
