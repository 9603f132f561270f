import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type Docker from "dockerode";
import { parse, stringify } from "yaml";
import { goYaml } from "../../config/go-yaml.js";
import { DevstackError } from "../../errors.js";
import { writeDurable } from "../../fs/durable.js";
import { readContainerFile } from "../container-files.js";
import { volumeName } from "../names.js";
import { sleep } from "../wait.js";
import { REGISTRY_PORT } from "./registry.js";
import { resolveImage, type StandIn } from "./standin.js";

/** EKS's stand-in: k3s in a privileged container, a fixed node over a datastore in a volume. */
export const k3s: StandIn = {
  component: "k3s",
  nameSuffix: "k3s",
  image: "docker.io/rancher/k3s:v1.34.3-k3s1",
  memoryMi: 512,
  wanted: ({ cluster }) => cluster,
  container: ({ config, stack }) => {
    const { images, ports, cluster } = config.profile;
    return {
      component: "k3s",
      image: cluster.type === "k3s" && cluster.version ? resolveImage(k3s, { ...images, overrides: { k3s: `docker.io/rancher/k3s:${cluster.version}`, ...images.overrides } }) : resolveImage(k3s, images),
      // A fixed node name: a recreated container is the same node over the same datastore.
      // With a mirror, k3s's own images (Traefik, CoreDNS, metrics-server, pause) come from it too.
      cmd: ["server", "--node-name", "devstack", "--tls-san", "127.0.0.1", "--write-kubeconfig-mode", "0600", ...(images.mirror ? ["--system-default-registry", images.mirror.replace(/\/$/, "")] : [])],
      env: {},
      hostname: "devstack",
      tmpfs: ["/run", "/var/run"],
      secretEnv: {},
      ports: [
        { container: 6443, host: ports.kubeApi, purpose: "Kubernetes API", key: "ports.kubeApi" },
        { container: 80, host: ports.http, purpose: "HTTP ingress", key: "ports.http" },
        { container: 443, host: ports.https, purpose: "HTTPS ingress", key: "ports.https" },
      ],
      volumes: [{ name: volumeName(stack, "k3s"), path: "/var/lib/rancher/k3s" }],
      aliases: ["k3s"],
      privileged: true,
      inputs: { registryPort: ports.registry },
    };
  },
  url: (config) => config.url,
  clusterPorts: [],
};

/** containerd on the k3s node pulls localhost:<port>/... from the registry container by its network alias. */
export function registriesYaml(registryPort: number): string {
  return goYaml({ mirrors: { [`localhost:${registryPort}`]: { endpoint: [`http://registry:${REGISTRY_PORT}`] } } });
}
export async function lastLogLines(container: Docker.Container, lines = 20): Promise<string> {
  const buffer = (await container.logs({ stdout: true, stderr: true, tail: lines })) as unknown as Buffer;
  // The log stream is multiplexed: 8-byte frame headers precede each chunk.
  const out: string[] = [];
  for (let i = 0; i + 8 <= buffer.length; ) {
    const size = buffer.readUInt32BE(i + 4);
    out.push(buffer.subarray(i + 8, i + 8 + size).toString("utf8"));
    i += 8 + size;
  }
  return out.join("").trim();
}

/**
 * Waits for k3s to write its kubeconfig and answer, then stores the kubeconfig
 * (pointed at the published API port) in the user's config directory.
 */
export async function waitForK3s(docker: Docker, name: string, apiPort: number, kubeconfigPath: string, timeoutMs = 180_000): Promise<void> {
  const container = docker.getContainer(name);
  const deadline = Date.now() + timeoutMs;
  let kubeconfig: string | undefined;
  while (Date.now() < deadline) {
    kubeconfig = await readContainerFile(container, "/etc/rancher/k3s/k3s.yaml");
    if (kubeconfig) break;
    await sleep(1000);
  }
  if (!kubeconfig) {
    throw new DevstackError(`k3s did not become ready in ${timeoutMs / 1000} s; its last log lines:\n${await lastLogLines(container)}`, {
      fix: "check that the Docker engine allows privileged containers and has 2 GB of memory free; then `devstack up` again",
    });
  }
  const doc = parse(kubeconfig) as { clusters: { cluster: { server: string } }[] };
  for (const c of doc.clusters) c.cluster.server = `https://127.0.0.1:${apiPort}`;
  mkdirSync(dirname(kubeconfigPath), { recursive: true, mode: 0o700 });
  writeDurable(kubeconfigPath, stringify(doc), { mode: 0o600 });
  // The API answers some seconds after the file appears; the node must be Ready before anything is scheduled.
  const { KubeConfig, CoreV1Api } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  while (Date.now() < deadline) {
    try {
      const nodes = await core.listNode();
      if (nodes.items.some((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))) return;
    } catch {
      // not answering yet
    }
    await sleep(1000);
  }
  throw new DevstackError(`the k3s node did not become Ready in ${timeoutMs / 1000} s; its last log lines:\n${await lastLogLines(container)}`, {
    fix: "`docker logs` of the k3s container shows more; `devstack down && devstack up` starts it again",
  });
}
