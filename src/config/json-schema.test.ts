import { describe, expect, it } from "vitest";
import { jsonSchema } from "./json-schema.js";

describe("jsonSchema", () => {
  it("describes devstack.yaml with its required keys and no unknown ones", () => {
    const schema = jsonSchema("app") as { required: string[]; additionalProperties: boolean; properties: Record<string, unknown> };
    expect(schema.required).toEqual(["name"]);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["build", "service", "env", "secrets", "database", "jobs", "alerts", "exports"]),
    );
  });

  it("describes a profile with each choice of cluster", () => {
    const schema = jsonSchema("profile") as { properties: { cluster: { oneOf?: unknown[]; anyOf?: unknown[] } } };
    const options = schema.properties.cluster.oneOf ?? schema.properties.cluster.anyOf ?? [];
    expect(JSON.stringify(options)).toContain('"k3s"');
    expect(JSON.stringify(options)).toContain('"eks"');
    expect(JSON.stringify(options)).toContain('"kube-context"');
  });
});
