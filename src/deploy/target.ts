import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubeconfigFiles } from "../cluster/kube-context.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { localKubeconfigPath } from "../project/paths.js";
import { describeCluster, eksKubeconfig } from "./eks.js";

export interface ClusterAccess {
  kubeconfig: string;
  context?: string;
  /** For messages: which cluster this is. */
  describe: string;
  dispose(): void;
}

/**
 * How to reach a profile's cluster: the local stack's kubeconfig, a named
 * kube context, or EKS from the profile alone (an explicit context wins).
 */
export async function clusterAccess(config: ResolvedConfig): Promise<ClusterAccess> {
  const cluster = config.profile.cluster;
  const none = () => undefined;
  if (cluster.type === "k3s") {
    const kubeconfig = localKubeconfigPath(config);
    if (!existsSync(kubeconfig)) throw new DevstackError(`the local cluster of ${config.app.name} is not running`, { fix: "start it with `devstack up`" });
    return { kubeconfig, describe: "the local k3s", dispose: none };
  }
  if (cluster.type === "kube-context" || cluster.context) {
    const files = kubeconfigFiles(cluster.type === "kube-context" ? cluster.kubeconfig : undefined);
    const context = cluster.type === "kube-context" ? cluster.context : (cluster.context as string);
    if (files.length === 1) return { kubeconfig: files[0] as string, context, describe: `kube context ${context}`, dispose: none };
    // helm and the client take one file: KUBECONFIG's list is merged, as kubectl merges it, into a private temporary one.
    const { KubeConfig } = await import("@kubernetes/client-node");
    const kc = new KubeConfig();
    kc.loadFromDefault();
    const dir = mkdtempSync(join(tmpdir(), "devstack-kube-"));
    const merged = join(dir, "kubeconfig");
    writeFileSync(merged, kc.exportConfig(), { mode: 0o600 });
    return { kubeconfig: merged, context, describe: `kube context ${context}`, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const { EKSClient } = await import("@aws-sdk/client-eks");
  const endpoint = await describeCluster(new EKSClient({ region: cluster.region }), cluster.name);
  // The kubeconfig holds no credential (the token is signed on demand by `devstack eks-token`); it is still private and temporary.
  const dir = mkdtempSync(join(tmpdir(), "devstack-eks-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, eksKubeconfig(cluster.name, cluster.region, endpoint, { node: process.execPath, bin: join(PACKAGE_ROOT, "bin", "devstack.js") }), { mode: 0o600 });
  return { kubeconfig, describe: `EKS ${cluster.name} (${cluster.region})`, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
