import { createServer } from "node:net";

/**
 * Distinct TCP ports on 127.0.0.1 that nothing listens on right now. They are
 * held open together while chosen: one at a time, the kernel may hand the
 * same port out twice (a harness run once got ports.kubeApi = ports.smtp).
 * @param {number} count
 * @returns {Promise<number[]>}
 */
export async function freePorts(count) {
  /** @type {import("node:net").Server[]} */
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve(undefined));
      });
    }
    return servers.map((server) => {
      const address = server.address();
      return typeof address === "object" && address ? address.port : 0;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(() => resolve(undefined)))));
  }
}

/**
 * A free port for each name, all distinct (see freePorts).
 * @param {string[]} names
 * @returns {Promise<Record<string, number>>}
 */
export async function freePortsFor(names) {
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((name, i) => [name, /** @type {number} */ (ports[i])]));
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. @returns {Promise<number>} */
export async function freePort() {
  const [port] = await freePorts(1);
  return /** @type {number} */ (port);
}
