import { describe, expect, it } from "vitest";
import type { Manifest } from "./manifests.js";
import { validateManifests } from "./validate.js";

const deployment = (port: unknown): Manifest =>
  ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "r/web:1", ports: [{ containerPort: port }] }] } },
    },
  }) as Manifest;

describe("validateManifests", () => {
  it("accepts a valid object, twice (the second time from the cache)", async () => {
    expect(await validateManifests([deployment(8080)])).toEqual([]);
    expect(await validateManifests([deployment(8080)])).toEqual([]);
  });

  it("reports where an object breaks its kind's schema, every time", async () => {
    const problem = [{ resource: "Deployment/web", path: "spec.template.spec.containers.0.ports.0.containerPort", message: "must be integer" }];
    expect(await validateManifests([deployment("80")])).toEqual(problem);
    expect(await validateManifests([deployment("80")])).toEqual(problem);
  });

  it("validates CRDs it knows and refuses kinds it does not", async () => {
    const issuer = { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "x" }, spec: { acme: { server: "https://a", privateKeySecretRef: { name: "k" }, solvers: [] } } } as Manifest;
    expect(await validateManifests([issuer])).toEqual([]);
    const unknown = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } } as Manifest;
    expect((await validateManifests([unknown]))[0]?.message).toMatch(/no schema for example.com\/v1 Widget/);
  });
});
