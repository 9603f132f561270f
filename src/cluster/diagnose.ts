import type { KubeConfig } from "@kubernetes/client-node";

/** The last log lines and events of a release's pods that are not ready: what a failed deploy prints. */
export async function diagnosePods(kc: KubeConfig, namespace: string, release: string, lines = 15): Promise<string> {
  const { CoreV1Api } = await import("@kubernetes/client-node");
  const core = kc.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/instance=${release}` });
  const out: string[] = [];
  for (const pod of pods.items) {
    const ready = pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
    if (ready) continue;
    const name = pod.metadata?.name as string;
    out.push(`pod ${name} (${pod.status?.phase ?? "unknown"}):`);
    for (const c of pod.spec?.containers ?? []) {
      try {
        const log = await core.readNamespacedPodLog({ name, namespace, container: c.name, tailLines: lines });
        out.push(...String(log).trimEnd().split("\n").map((l) => `  ${c.name}| ${l}`));
      } catch {
        out.push(`  ${c.name}| (no logs yet)`);
      }
    }
    const events = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
    for (const e of events.items.slice(-5)) out.push(`  event: ${e.reason}: ${e.message}`);
  }
  return out.join("\n");
}
