import { statfs } from "node:fs/promises";
import { resolveHelm } from "../charts/helm-binary.js";
import { awsCredentialSources, kubeconfigFiles, kubeContexts } from "../cluster/kube-context.js";
import { availableProfiles, findProjectDir } from "../config/project.js";
import { loadConfig, type ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { explicitPortKeys } from "../project/ports.js";
import { stackId } from "../project/ids.js";
import { dockerClient, probeEngine } from "../stack/docker-engine.js";
import { ownPorts } from "../stack/local-ports.js";
import { movablePortKey, probePort } from "../stack/ports.js";
import { readInotifyLimits } from "../watch/inotify.js";
import type { Observations, RemoteObservation } from "./checks.js";

function projectProfiles(cwd: string): { configs: ResolvedConfig[]; error?: string } {
  let dir: string;
  try {
    dir = findProjectDir(cwd);
  } catch {
    return { configs: [] };
  }
  const configs: ResolvedConfig[] = [];
  for (const name of availableProfiles(dir)) {
    try {
      configs.push(loadConfig({ cwd, profile: name }));
    } catch (error) {
      return { configs, error: `profile ${name}: ${(error as Error).message}` };
    }
  }
  return { configs };
}

function remoteOf(config: ResolvedConfig): RemoteObservation | undefined {
  const cluster = config.profile.cluster;
  const context = cluster.type === "kube-context" || cluster.type === "eks" ? cluster.context : undefined;
  if (context !== undefined) {
    const files = kubeconfigFiles(cluster.type === "kube-context" ? cluster.kubeconfig : undefined);
    return { profile: config.profileName, kind: "kube-context", context, files, found: kubeContexts(files).includes(context) };
  }
  if (cluster.type === "eks") {
    return { profile: config.profileName, kind: "eks", cluster: cluster.name, region: cluster.region, credentialSources: awsCredentialSources() };
  }
  return undefined;
}

/** Gathers every observation in parallel; nothing here decides pass or fail. */
export async function observe(cwd = process.cwd()): Promise<Observations> {
  const { configs, error } = projectProfiles(cwd);
  const local = configs.find((c) => c.profile.cluster.type === "k3s");
  const portEntries = local ? Object.entries(local.profile.ports) : [];
  const explicit = local ? explicitPortKeys(local.files.profile) : new Set<string>();
  const engineProbe = probeEngine();
  // A port this project's own stack publishes is taken by us, not against us.
  const ours = local
    ? engineProbe.then(async (e) => (e.reachable ? ownPorts(await dockerClient(), stackId(local)) : new Set<number>())).catch(() => new Set<number>())
    : Promise.resolve(new Set<number>());
  const [engine, helm, ports, inotify, disk] = await Promise.all([
    engineProbe,
    resolveHelm().then(
      (binary) => ({ binary }),
      (e: unknown) => ({ error: (e as Error).message, ...(e instanceof DevstackError && e.fix ? { fix: e.fix } : {}) }),
    ),
    Promise.all(
      portEntries.map(async ([name, port]) => {
        const state = await probePort(port);
        return { name, port, state, profile: local?.profileName ?? "local", movable: movablePortKey(name, explicit), ...(state === "in-use" && (await ours).has(port) ? { ours: true } : {}) };
      }),
    ),
    readInotifyLimits(),
    statfs(cwd).then((s) => s.bavail * s.bsize, () => undefined),
  ]);
  return {
    platform: process.platform,
    nodeVersion: process.version,
    engine,
    helm,
    ports,
    inotify,
    remotes: configs.map(remoteOf).filter((r): r is RemoteObservation => r !== undefined),
    freeDiskBytes: disk,
    ...(error ? { config: { error } } : {}),
  };
}
