import { describe, expect, it } from "vitest";
import type { Manifest } from "./manifests.js";
import { crdSchemas } from "./crd-schema.js";
import { validateManifests, validateManifestsDetailed } from "./validate.js";

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

  it("refuses unknown fields of core kinds, naming each", async () => {
    const typo = { ...deployment(8080), spec: { ...(deployment(8080).spec as object), replicaz: 3 } } as Manifest;
    expect(await validateManifests([typo])).toEqual([{ resource: "Deployment/web", path: "spec.replicaz", message: "unknown field" }]);
  });

  it("checks custom resources against the CRD rendered with them, and says which had none", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.strict.example" },
      spec: { group: "strict.example", names: { kind: "Gadget", plural: "gadgets" }, scope: "Namespaced", versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } } } } } }] },
    } as unknown as Manifest;
    const gadget = (spec: object) => ({ apiVersion: "strict.example/v1", kind: "Gadget", metadata: { name: "g" }, spec }) as unknown as Manifest;
    expect(await validateManifestsDetailed([crd, gadget({ size: 2 })])).toEqual({ problems: [], withoutCrd: [] });
    expect((await validateManifestsDetailed([gadget({ sise: 2 })], { crds: crdSchemas([crd]) })).problems).toEqual([{ resource: "Gadget/g", path: "spec.sise", message: "unknown field" }]);
    const other = { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "c" }, spec: { secretName: "s", issuerRef: { name: "i" } } } as Manifest;
    const result = await validateManifestsDetailed([other]);
    expect(result.withoutCrd).toEqual(["Certificate/c"]);
  });

  it("refuses objects past the API server's size limits, naming the resource", async () => {
    const configMap = (bytes: number) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "env" }, data: { BIG: "x".repeat(bytes) } }) as unknown as Manifest;
    expect(await validateManifests([configMap(1024 * 1024 - 100)])).toEqual([]);
    expect(await validateManifests([configMap(1024 * 1024 + 1)])).toEqual([{ resource: "ConfigMap/env", path: "data", message: "holds 1.00 MiB; a ConfigMap holds at most 1 MiB" }]);
    const annotated = { ...deployment(8080), metadata: { name: "web", annotations: { note: "y".repeat(300 * 1024) } } } as Manifest;
    expect(await validateManifests([annotated])).toEqual([{ resource: "Deployment/web", path: "metadata.annotations", message: "hold 300.0 KiB; an object's annotations hold at most 256 KiB" }]);
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i:1", env: [{ name: "A", value: "z".repeat(1600 * 1024) }] }] } } } } as Manifest;
    expect((await validateManifests([job])).map((p) => p.message)).toEqual([expect.stringMatching(/^is 1\.56 MiB; the API server stores objects of at most 1\.5 MiB$/)]);
  });
});
