import { describe, expect, it } from "vitest";
import { crdKey, crdSchemas, validateCustomResource, type OpenApiSchema } from "./crd-schema.js";
import type { Manifest } from "./manifests.js";

// A CRD shaped like the ones cert-manager and External Secrets ship: structural, with nested objects and lists.
const schema: OpenApiSchema = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      required: ["target"],
      properties: {
        target: { type: "object", properties: { name: { type: "string" }, creationPolicy: { type: "string", enum: ["Owner", "Orphan"] } } },
        data: { type: "array", items: { type: "object", required: ["secretKey"], properties: { secretKey: { type: "string" }, remoteRef: { type: "object", properties: { key: { type: "string" } } } } } },
        port: { "x-kubernetes-int-or-string": true },
        free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        labels: { type: "object", additionalProperties: { type: "string" } },
        template: { type: "object", "x-kubernetes-embedded-resource": true, properties: { spec: { type: "object", properties: { replicas: { type: "integer" } } } } },
        note: { type: "string", nullable: true },
      },
    },
  },
};

const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: { group: "example.com", names: { kind: "Widget" }, versions: [{ name: "v1", served: true, schema: { openAPIV3Schema: schema } }, { name: "v0", served: false, schema: { openAPIV3Schema: {} } }] },
} as unknown as Manifest;

const widget = (spec: Record<string, unknown>) => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", labels: { a: "b" } }, spec }) as unknown as Manifest;

describe("custom resources against the CRD that defines them", () => {
  it("reads the schema of every served version, and refuses objects of a version that is not served", () => {
    const schemas = crdSchemas([crd]);
    expect(Object.keys(schemas)).toEqual([crdKey("example.com/v1", "Widget"), crdKey("example.com/v0", "Widget")]);
    const old = { ...widget({ target: { name: "x" } }), apiVersion: "example.com/v0" } as Manifest;
    expect(validateCustomResource(old, schemas[crdKey("example.com/v0", "Widget")] as OpenApiSchema)).toEqual([{ path: "apiVersion", message: "version example.com/v0 of Widget is not served by its CRD: use a served version" }]);
  });

  it("treats a null as absent, as the API server prunes it", () => {
    expect(validateCustomResource(widget({ target: { name: null }, port: null }), schema)).toEqual([]);
    expect(validateCustomResource(widget({ target: null }), schema)).toEqual([{ path: "spec", message: "must have required property 'target'" }]);
  });

  it("accepts what the schema allows", () => {
    const ok = widget({
      target: { name: "x", creationPolicy: "Owner" },
      data: [{ secretKey: "A", remoteRef: { key: "k" } }],
      port: "http",
      free: { anything: { at: ["all"] } },
      labels: { x: "y" },
      template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { replicas: 2 } },
      note: null,
    });
    expect(validateCustomResource(ok, schema)).toEqual([]);
  });

  it("refuses unknown fields, wrong types, values outside an enum and missing required fields, each at its path", () => {
    const bad = widget({
      target: { name: 3, creationPolicy: "Sometimes", nmae: "typo" },
      data: [{ remoteRef: { key: "k", property: "p" } }],
      port: true,
      labels: { x: 1 },
      extra: {},
    });
    expect(validateCustomResource(bad, schema)).toEqual([
      { path: "spec.target.name", message: "must be string, got integer" },
      { path: "spec.target.creationPolicy", message: 'must be one of "Owner", "Orphan"' },
      { path: "spec.target.nmae", message: "unknown field" },
      { path: "spec.data.0", message: "must have required property 'secretKey'" },
      { path: "spec.data.0.remoteRef.property", message: "unknown field" },
      { path: "spec.port", message: "must be an integer or a string, got boolean" },
      { path: "spec.labels.x", message: "must be string, got integer" },
      { path: "spec.extra", message: "unknown field" },
    ]);
    expect(validateCustomResource(widget({}), schema)).toEqual([{ path: "spec", message: "must have required property 'target'" }]);
  });
});
