import { describe, expect, it } from "vitest";
import { knowsCoreKind, unknownCoreFields, unknownMetadataFields } from "./core-fields.js";
import type { Manifest } from "./manifests.js";

const deployment = (extra: { spec?: Record<string, unknown>; container?: Record<string, unknown>; metadata?: Record<string, unknown> } = {}): Manifest =>
  ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { a: "b" }, annotations: { "x/y": "z" }, ...extra.metadata },
    spec: {
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [{ name: "web", image: "r/web:1", env: [{ name: "A", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }], resources: { requests: { cpu: "10m" } }, ...extra.container }],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
      ...extra.spec,
    },
  }) as Manifest;

describe("unknown fields of core kinds", () => {
  it("accepts every field a Deployment really has, maps of any keys and int-or-string values", async () => {
    expect(await unknownCoreFields(deployment())).toEqual([]);
  });

  it("names each field the kind does not have, with its path", async () => {
    const found = await unknownCoreFields(deployment({ spec: { replicaz: 2 }, container: { readinessprobe: {}, securityContext: { readOnlyRootFilesystem: true, bogus: 1 } }, metadata: { label: {} } }));
    expect(found.sort()).toEqual(["metadata.label", "spec.replicaz", "spec.template.spec.containers.0.readinessprobe", "spec.template.spec.containers.0.securityContext.bogus"]);
  });

  it("knows kinds whose name two groups share, and which kinds are core", async () => {
    const event = { apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "e" }, eventTime: null, reportingController: "x", reportingInstance: "y", note: "n", colour: "blue" } as unknown as Manifest;
    expect(await unknownCoreFields(event)).toEqual(["colour"]);
    expect(await knowsCoreKind("batch/v1", "CronJob")).toBe(true);
    expect(await knowsCoreKind("cert-manager.io/v1", "ClusterIssuer")).toBe(false);
  });

  it("checks a custom resource's metadata as a core ObjectMeta", async () => {
    const issuer = { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "x", lables: {} } } as unknown as Manifest;
    expect(await unknownMetadataFields(issuer)).toEqual(["metadata.lables"]);
  });
});
