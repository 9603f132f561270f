import type { Manifest } from "./manifests.js";

// The API server refuses (or, without strict field validation, silently
// drops) a field its schema does not have: a typo in a chart then ships as a
// missing setting. kubernetes-models checks values but not unknown fields, so
// the field names come from @kubernetes/client-node's generated models, which
// carry every core type's JSON field names and their types.

interface Attribute {
  baseName: string;
  type: string;
}

type Models = Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>;

let models: Promise<Models> | undefined;

function loadModels(): Promise<Models> {
  models ??= import("@kubernetes/client-node").then((m) => m as unknown as Models);
  return models;
}

const SCALARS = new Set(["string", "number", "boolean", "Date", "IntOrString", "any", "object"]);

const pascal = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The generated type of a kind: `V1Deployment`, or group-prefixed where two groups share a kind (`EventsV1Event`). */
function modelName(apiVersion: string, kind: string, all: Models): string | undefined {
  const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/") as [string, string]) : ["core", apiVersion];
  const candidates = [`${pascal(version)}${kind}`, `${pascal(group.split(".")[0] ?? "")}${pascal(version)}${kind}`];
  return candidates.find((name) => all[name]?.getAttributeTypeMap);
}

/** Whether the kind is a core Kubernetes kind this check knows. */
export async function knowsCoreKind(apiVersion: string, kind: string): Promise<boolean> {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] ?? "" : "";
  if (group.includes(".") && !group.endsWith(".k8s.io")) return false;
  return modelName(apiVersion, kind, await loadModels()) !== undefined;
}

/** Field paths (dotted, list indexes as numbers) of every field the kind's schema does not have. */
export async function unknownCoreFields(manifest: Manifest): Promise<string[]> {
  const all = await loadModels();
  const type = modelName(String(manifest.apiVersion), String(manifest.kind), all);
  if (!type) return [];
  const found: string[] = [];
  walk(manifest, type, "", all, found);
  return found;
}

/** The same for a custom resource's metadata, which is a core ObjectMeta whatever its CRD says. */
export async function unknownMetadataFields(manifest: Manifest): Promise<string[]> {
  const found: string[] = [];
  walk(manifest.metadata, "V1ObjectMeta", "metadata", await loadModels(), found);
  return found;
}

function walk(value: unknown, type: string, path: string, all: Models, found: string[]): void {
  if (value === null || value === undefined || SCALARS.has(type)) return;
  const list = /^Array<(.+)>$/.exec(type);
  if (list) {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, list[1] as string, join(path, String(i)), all, found));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (isObject(value)) for (const [key, item] of Object.entries(value)) walk(item, map[1] as string, join(path, key), all, found);
    return;
  }
  const attributes = all[type]?.getAttributeTypeMap?.();
  // A wrong type (a string where an object belongs) is the value validator's to report.
  if (!attributes || !isObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.find((a) => a.baseName === key);
    if (attribute) walk(item, attribute.type, join(path, key), all, found);
    else found.push(join(path, key));
  }
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
