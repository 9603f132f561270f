import { existsSync } from "node:fs";
import { applyObjects, kubeConfig } from "../cluster/apply.js";
import { storeSecretObjects } from "../cluster/secret-objects.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { localKubeconfigPath } from "../project/paths.js";
import type { Snapshot } from "./store.js";
import { secretsVersion } from "./sync.js";

export type Delivery =
  | { delivered: true; namespace: string; secrets: string[] }
  | { delivered: false; reason: string };

/**
 * Locally, the store is copied into namespace devstack-secrets, where the
 * ClusterSecretStore reads it. On EKS the ExternalSecrets read AWS Secrets
 * Manager directly and there is nothing to deliver.
 */
export async function deliverLocal(config: ResolvedConfig, snapshot: Snapshot): Promise<Delivery> {
  if (config.profile.secretStore.type !== "local") return { delivered: false, reason: "the cluster reads AWS Secrets Manager itself" };
  const kubeconfig = localKubeconfigPath(config);
  if (!existsSync(kubeconfig)) return { delivered: false, reason: "the local cluster is not running; `devstack up` delivers them" };
  const objects = storeSecretObjects(config.app.name, snapshot, secretsVersion(snapshot));
  try {
    await applyObjects(await kubeConfig(kubeconfig), objects);
  } catch (error) {
    return { delivered: false, reason: `the local cluster did not answer (${(error as Error).message}); \`devstack up\` delivers them` };
  }
  return { delivered: true, namespace: objects[0]?.metadata.namespace ?? "", secrets: objects.map((o) => o.metadata.name) };
}
