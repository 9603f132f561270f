import { createHmac, randomBytes } from "node:crypto";
import { parseAllDocuments } from "yaml";
import { DevstackError } from "../errors.js";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface RenderedResource {
  /** The chart template that produced it, from helm's `# Source:` comment. */
  source: string;
  object: Manifest;
}

/** Splits `helm template` output into objects, dropping empty documents. */
export function parseManifests(text: string): RenderedResource[] {
  const resources: RenderedResource[] = [];
  // A file of a chart's crds/ folder that starts with "---" leaves its Source comment on an empty document of its own.
  let pending = "";
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new DevstackError(`helm produced invalid YAML: ${doc.errors[0]?.message}`, { kind: "helm", fix: "check the chart's templates (`helm template` shows the output); a chart devstack ships is a bug in devstack" });
    const object = doc.toJS() as Manifest | null;
    // The text before the object (the whole document when it is empty: the parser keeps no comment of an empty one).
    const [start, , end] = doc.range;
    const header = text.slice(start, object && doc.contents?.range ? doc.contents.range[0] : end);
    const source = [...header.matchAll(/^# Source: (.+)$/gm)].at(-1)?.[1]?.trim() ?? "";
    if (!object) {
      pending = source || pending;
      continue;
    }
    resources.push({ source: source || pending, object });
    pending = "";
  }
  return resources;
}

/** The identity parity is checked on. */
export function resourceId(m: Manifest): string {
  return `${m.kind}/${m.metadata.namespace ?? "_cluster"}/${m.metadata.name}`;
}

export function resourceFileName(m: Manifest): string {
  const ns = m.metadata.namespace ? `${m.metadata.namespace}.` : "";
  return `${ns}${m.kind.toLowerCase()}.${m.metadata.name}.yaml`;
}

// Per process: equal secret values mask alike within one comparison, and nothing outside it can tell what they are.
const maskKey = randomBytes(32);

/**
 * A Secret's values as opaque tokens: a diff still sees whether they differ,
 * but no output (text, JSON) ever holds a value or an encoding of one.
 */
export function maskSecretData(m: Manifest): Manifest {
  if (m.kind !== "Secret" || m.apiVersion !== "v1") return m;
  const mask = (values: unknown) =>
    typeof values === "object" && values !== null
      ? Object.fromEntries(Object.entries(values).map(([k, v]) => [k, `(secret value ${createHmac("sha256", maskKey).update(String(v)).digest("hex").slice(0, 8)})`]))
      : values;
  return { ...m, ...(m.data === undefined ? {} : { data: mask(m.data) }), ...(m.stringData === undefined ? {} : { stringData: mask(m.stringData) }) };
}
