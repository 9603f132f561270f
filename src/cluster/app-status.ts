import type { KubeConfig, V1Deployment } from "@kubernetes/client-node";
import { DevstackError } from "../errors.js";

export interface AppComponentStatus {
  component: string;
  ready: number;
  desired: number;
  /** The image tag or digest it runs. */
  version: string;
}

/**
 * Each component's Deployment of the app's release: ready and desired
 * replicas and the version it runs, as `kubectl get deploy` would show them.
 */
export async function appComponentStatus(kc: KubeConfig, namespace: string, release: string, timeoutMs = 5000): Promise<AppComponentStatus[]> {
  const { AppsV1Api } = await import("@kubernetes/client-node");
  const apps = kc.makeApiClient(AppsV1Api);
  const list = await Promise.race([
    apps.listNamespacedDeployment({ namespace, labelSelector: `app.kubernetes.io/instance=${release}` }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new DevstackError(`the cluster did not answer within ${timeoutMs} ms`, { kind: "engine" })), timeoutMs).unref()),
  ]);
  return componentRows(list.items);
}

/** One row per Deployment: its component label, ready/desired replicas and what it runs (a digest shortened). */
export function componentRows(deployments: V1Deployment[]): AppComponentStatus[] {
  return deployments
    .map((d) => {
      const image = d.spec?.template.spec?.containers[0]?.image ?? "";
      return {
        component: d.metadata?.labels?.["devstack.dev/component"] ?? d.metadata?.name ?? "",
        ready: d.status?.readyReplicas ?? 0,
        desired: d.spec?.replicas ?? 0,
        version: image.includes("@") ? (image.split("@")[1] as string).slice(0, 19) : (image.split(":").pop() ?? ""),
      };
    })
    .sort((a, b) => a.component.localeCompare(b.component));
}
