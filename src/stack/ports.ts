import { createServer } from "node:net";

export type PortState = "free" | "in-use" | "privileged";

/** Whether something already listens on a host port the local stack wants to publish. */
export function probePort(port: number, host = "127.0.0.1"): Promise<PortState> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      resolve(error.code === "EACCES" ? "privileged" : "in-use");
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve("free")));
  });
}
