import { describe, expect, it } from "vitest";
import { unknownKeys } from "./verify-platform.js";

describe("the value keys devstack sets for a subchart", () => {
  const defaults = { image: { repository: "r", tag: "" }, resources: { requests: { cpu: "1m" } }, podAnnotations: {}, config: { a: 1 } };
  const templates = "{{ .Values.fullnameOverride }} {{ toYaml .Values.config }} {{ .Values.image.repository }}";

  it("must be in the chart's values.yaml, below every default that has keys", () => {
    expect(unknownKeys({ image: { repositry: "x", tag: "1" }, resourcez: {} }, defaults, templates)).toEqual(["image.repositry", "resourcez"]);
  });

  it("may be any key of a free-form map, a container's resources, or a value a template reads by name", () => {
    expect(unknownKeys({ podAnnotations: { "a/b": "c" }, resources: { limits: { memory: "1Mi" } }, fullnameOverride: "x" }, defaults, templates)).toEqual([]);
  });

  it("may be a program's own configuration where the chart passes it through", () => {
    expect(unknownKeys({ config: { b: 2 } }, defaults, templates)).toEqual(["config.b"]);
    expect(unknownKeys({ config: { b: 2 } }, defaults, templates, [], new Set(["config"]))).toEqual([]);
  });
});
