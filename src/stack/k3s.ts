import { goYaml } from "../config/go-yaml.js";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type Docker from "dockerode";
import { extract } from "tar-stream";
import { parse, stringify } from "yaml";
import { DevstackError } from "../errors.js";
import { writeDurable } from "../fs/durable.js";
import { sleep } from "./wait.js";

/** containerd on the k3s node pulls localhost:<port>/... from the registry container by its network alias. */
export function registriesYaml(registryPort: number): string {
  return goYaml({ mirrors: { [`localhost:${registryPort}`]: { endpoint: ["http://registry:5000"] } } });
}

async function readFileFromContainer(container: Docker.Container, path: string): Promise<string | undefined> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await container.getArchive({ path });
  } catch {
    return undefined;
  }
  return new Promise((resolve, reject) => {
    const tar = extract();
    let content: string | undefined;
    tar.on("entry", (_header, entry, next) => {
      const chunks: Buffer[] = [];
      entry.on("data", (c: unknown) => chunks.push(c as Buffer));
      entry.on("end", () => {
        content ??= Buffer.concat(chunks).toString("utf8");
        next();
      });
      entry.resume();
    });
    tar.on("finish", () => resolve(content));
    tar.on("error", reject);
    stream.pipe(tar);
  });
}

async function lastLogLines(container: Docker.Container, lines = 20): Promise<string> {
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
    kubeconfig = await readFileFromContainer(container, "/etc/rancher/k3s/k3s.yaml");
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
