import type { KubeConfig } from "@kubernetes/client-node";

const FIELD_MANAGER = "devstack";

/** Loads a kubeconfig file (the local stack's, or the user's) with an optional context. */
export async function kubeConfig(file?: string, context?: string): Promise<KubeConfig> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (context) kc.setCurrentContext(context);
  return kc;
}

/**
 * Server-side apply: creates or updates each object in one idempotent call,
 * owned by the "devstack" field manager. Values travel in the request body to
 * the API server, never through a command line.
 */
export async function applyObjects(kc: KubeConfig, objects: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }[]): Promise<void> {
  const { KubernetesObjectApi, PatchStrategy } = await import("@kubernetes/client-node");
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) {
    await api.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }
}
