import { describe, expect, it } from "vitest";
import { jobFromCronJob } from "./jobs.js";

describe("jobFromCronJob", () => {
  it("copies the template, marks the run as manual and is owned by the CronJob", () => {
    const job = jobFromCronJob(
      {
        metadata: { name: "hello-cleanup", namespace: "hello", uid: "u-1" },
        spec: { schedule: "30 3 * * *", jobTemplate: { metadata: { labels: { "devstack.dev/component": "job-cleanup" } }, spec: { backoffLimit: 1, template: { spec: { restartPolicy: "Never", containers: [{ name: "job", image: "r/x@sha256:1" }] } } } } },
      },
      "manual-abc",
    );
    expect(job.metadata).toMatchObject({
      name: "hello-cleanup-manual-abc",
      namespace: "hello",
      labels: { "devstack.dev/component": "job-cleanup", "devstack.dev/run": "manual" },
      annotations: { "cronjob.kubernetes.io/instantiate": "manual" },
      ownerReferences: [{ kind: "CronJob", name: "hello-cleanup", uid: "u-1", controller: true }],
    });
    expect(job.spec?.template.spec?.containers[0]?.image).toBe("r/x@sha256:1");
  });

  it("keeps the name within Kubernetes' 63 characters", () => {
    expect(jobFromCronJob({ metadata: { name: "x".repeat(60) }, spec: { schedule: "@daily", jobTemplate: { spec: { template: {} } } } }, "manual-abcdef").metadata?.name?.length).toBeLessThanOrEqual(63);
  });
});
