import type { Manifest } from "./manifests.js";

// Custom resources are checked against the openAPIV3Schema of the CRD that
// really defines them (as rendered from the charts that ship it), the way the
// API server checks them with strict field validation: unknown fields,
// types, enums and required fields. CEL rules and patterns are the server's.

export interface OpenApiSchema {
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  allOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
}

export interface SchemaProblem {
  path: string;
  message: string;
}

/** What a version the CRD defines but does not serve stands for: the API server refuses objects of it. */
const NOT_SERVED: OpenApiSchema = { "x-devstack-not-served": true } as OpenApiSchema;

/** `group/version/Kind` → schema, for every version of every CRD among the manifests (NOT_SERVED where it is not served). */
export function crdSchemas(manifests: Manifest[]): Record<string, OpenApiSchema> {
  const schemas: Record<string, OpenApiSchema> = {};
  for (const m of manifests) {
    if (m.kind !== "CustomResourceDefinition" || !String(m.apiVersion).startsWith("apiextensions.k8s.io/")) continue;
    const spec = m.spec as { group?: string; names?: { kind?: string }; versions?: { name: string; served?: boolean; schema?: { openAPIV3Schema?: OpenApiSchema } }[] } | undefined;
    for (const v of spec?.versions ?? []) {
      const schema = v.schema?.openAPIV3Schema;
      if (!spec?.group || !spec.names?.kind) continue;
      const key = crdKey(`${spec.group}/${v.name}`, spec.names.kind);
      if (v.served === false) schemas[key] = NOT_SERVED;
      else if (schema) schemas[key] = schema;
    }
  }
  return schemas;
}

export const crdKey = (apiVersion: string, kind: string) => `${apiVersion}/${kind}`;

// The API server adds these to every object; a CRD's schema need not list them.
const OBJECT_ROOT = new Set(["apiVersion", "kind", "metadata"]);

export function validateCustomResource(object: Manifest, schema: OpenApiSchema): SchemaProblem[] {
  if (schema === NOT_SERVED || (schema as Record<string, unknown>)["x-devstack-not-served"]) {
    return [{ path: "apiVersion", message: `version ${String(object.apiVersion)} of ${String(object.kind)} is not served by its CRD: use a served version` }];
  }
  const problems: SchemaProblem[] = [];
  check(object, schema, "", problems, true);
  return problems;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function fits(value: unknown, schema: OpenApiSchema): boolean {
  const problems: SchemaProblem[] = [];
  check(value, schema, "", problems, false);
  return problems.length === 0;
}

function check(value: unknown, schema: OpenApiSchema, path: string, problems: SchemaProblem[], root: boolean): void {
  const at = (message: string) => problems.push({ path, message });
  // The API server drops a null where the schema does not allow one (or applies the field's default): it is absent.
  if (value === null) return;
  for (const part of schema.allOf ?? []) check(value, part, path, problems, root);
  if (schema.anyOf && !schema.anyOf.some((s) => fits(value, s))) at("matches none of the allowed forms (anyOf)");
  if (schema.oneOf && schema.oneOf.filter((s) => fits(value, s)).length !== 1) at("must match exactly one allowed form (oneOf)");
  const actual = typeOf(value);
  if (schema["x-kubernetes-int-or-string"]) {
    if (actual !== "integer" && actual !== "string") at(`must be an integer or a string, got ${actual}`);
    return;
  }
  if (schema.type) {
    const ok = schema.type === actual || (schema.type === "number" && actual === "integer");
    if (!ok) {
      at(`must be ${schema.type}, got ${actual}`);
      return;
    }
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) at(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => check(item, schema.items as OpenApiSchema, join(path, String(i)), problems, false));
    return;
  }
  if (actual !== "object") return;
  const object = value as Record<string, unknown>;
  for (const name of schema.required ?? []) if (object[name] === undefined || (object[name] === null && !schema.properties?.[name]?.nullable)) problems.push({ path, message: `must have required property '${name}'` });
  const embedded = root || schema["x-kubernetes-embedded-resource"] === true;
  for (const [key, item] of Object.entries(object)) {
    // Checked by the server as a core ObjectMeta, whatever the CRD says of it (cert-manager's: `type: object`).
    if (embedded && OBJECT_ROOT.has(key)) continue;
    const property = schema.properties?.[key];
    if (property) check(item, property, join(path, key), problems, false);
    else if (typeof schema.additionalProperties === "object") check(item, schema.additionalProperties, join(path, key), problems, false);
    else if (schema.additionalProperties === true || schema["x-kubernetes-preserve-unknown-fields"]) continue;
    else if (schema.properties || schema.type === "object") problems.push({ path: join(path, key), message: "unknown field" });
  }
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
