import type { KubeConfig, V1CronJob, V1Job } from "@kubernetes/client-node";
import { DevstackError } from "../errors.js";

/** A Job made from a CronJob's template, as `kubectl create job --from=cronjob/...` makes it. */
export function jobFromCronJob(cron: V1CronJob, suffix: string): V1Job {
  const name = `${cron.metadata?.name ?? "job"}`.slice(0, 63 - suffix.length - 1);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: `${name}-${suffix}`,
      namespace: cron.metadata?.namespace,
      labels: { ...(cron.spec?.jobTemplate.metadata?.labels ?? {}), "devstack.dev/run": "manual" },
      annotations: { "cronjob.kubernetes.io/instantiate": "manual" },
      ownerReferences: cron.metadata?.uid
        ? [{ apiVersion: "batch/v1", kind: "CronJob", name: cron.metadata.name as string, uid: cron.metadata.uid, controller: true, blockOwnerDeletion: true }]
        : [],
    },
    spec: cron.spec?.jobTemplate.spec,
  };
}

export interface JobRow {
  name: string;
  schedule: string;
  timeZone: string | null;
  suspended: boolean;
  lastRun: string | null;
  lastResult: "succeeded" | "failed" | "running" | null;
}

export async function listJobs(kc: KubeConfig, namespace: string, release: string): Promise<JobRow[]> {
  const { BatchV1Api } = await import("@kubernetes/client-node");
  const batch = kc.makeApiClient(BatchV1Api);
  const [crons, jobs] = await Promise.all([
    batch.listNamespacedCronJob({ namespace, labelSelector: `app.kubernetes.io/instance=${release}` }),
    batch.listNamespacedJob({ namespace, labelSelector: `app.kubernetes.io/instance=${release}` }),
  ]);
  return crons.items.map((c) => {
    const owned = jobs.items
      .filter((j) => j.metadata?.ownerReferences?.some((o) => o.uid === c.metadata?.uid))
      .sort((a, b) => String(b.metadata?.creationTimestamp ?? "").localeCompare(String(a.metadata?.creationTimestamp ?? "")));
    const last = owned[0];
    const result = !last ? null : last.status?.succeeded ? "succeeded" : last.status?.failed ? "failed" : "running";
    return {
      name: c.metadata?.name ?? "",
      schedule: c.spec?.schedule ?? "",
      timeZone: c.spec?.timeZone ?? null,
      suspended: c.spec?.suspend ?? false,
      lastRun: last?.metadata?.creationTimestamp ? new Date(last.metadata.creationTimestamp).toISOString() : null,
      lastResult: result,
    };
  });
}

/** Starts a Job from the CronJob, streams its pod's log until it ends, and reports whether it succeeded. */
export async function runJob(kc: KubeConfig, namespace: string, cronName: string, onLog: (chunk: string) => void): Promise<{ job: string; succeeded: boolean }> {
  const { BatchV1Api, CoreV1Api, Log } = await import("@kubernetes/client-node");
  const batch = kc.makeApiClient(BatchV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  let cron: V1CronJob;
  try {
    cron = await batch.readNamespacedCronJob({ name: cronName, namespace });
  } catch {
    throw new DevstackError(`no CronJob ${cronName} in namespace ${namespace}`, { fix: "`devstack jobs ls` lists them; deploy first if the job is new" });
  }
  const job = await batch.createNamespacedJob({ namespace, body: jobFromCronJob(cron, `manual-${Date.now().toString(36)}`) });
  const jobName = job.metadata?.name as string;
  const deadline = Date.now() + (cron.spec?.jobTemplate.spec?.activeDeadlineSeconds ?? 3600) * 1000 + 120_000;
  let pod: string | undefined;
  while (!pod && Date.now() < deadline) {
    const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${jobName}` });
    const p = pods.items.find((x) => x.status?.phase && x.status.phase !== "Pending");
    pod = p?.metadata?.name;
    if (!pod) await new Promise((r) => setTimeout(r, 1000));
  }
  if (pod) {
    const { PassThrough } = await import("node:stream");
    const stream = new PassThrough();
    stream.on("data", (c: Buffer) => onLog(c.toString()));
    await new Log(kc).log(namespace, pod, "job", stream, { follow: true }).catch(() => undefined);
  }
  for (;;) {
    const status = (await batch.readNamespacedJob({ name: jobName, namespace })).status;
    // The Job's own verdict, after its retries: Complete or Failed.
    const done = (type: string) => status?.conditions?.some((c) => c.type === type && c.status === "True");
    if (done("Complete")) return { job: jobName, succeeded: true };
    if (done("Failed")) return { job: jobName, succeeded: false };
    if (Date.now() > deadline) return { job: jobName, succeeded: false };
    await new Promise((r) => setTimeout(r, 1000));
  }
}
