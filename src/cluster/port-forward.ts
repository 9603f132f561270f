import { createServer, type Server } from "node:net";
import type { KubeConfig } from "@kubernetes/client-node";
import { DevstackError } from "../errors.js";

export interface Forward {
  port: number;
  close(): Promise<void>;
}

/**
 * A local port on 127.0.0.1 forwarded to a port of a pod chosen by label.
 * The pod is looked up per connection, so the forward survives pod restarts.
 */
export async function forwardToPod(kc: KubeConfig, namespace: string, labelSelector: string, targetPort: number, localPort = 0): Promise<Forward> {
  const { CoreV1Api, PortForward } = await import("@kubernetes/client-node");
  const core = kc.makeApiClient(CoreV1Api);
  const forward = new PortForward(kc);
  const findPod = async () => {
    const pods = await core.listNamespacedPod({ namespace, labelSelector });
    const running = pods.items.find((p) => p.status?.phase === "Running");
    if (!running?.metadata?.name) throw new DevstackError(`no running pod matches ${labelSelector} in ${namespace}`, { fix: "`devstack status` shows the stack; the platform may still be starting" });
    return running.metadata.name;
  };
  await findPod();
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    findPod()
      .then((pod) => forward.portForward(namespace, pod, [targetPort], socket, null, socket))
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(localPort, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    // Keep-alive connections would hold close() open for seconds.
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
