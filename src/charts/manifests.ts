import { parseAllDocuments } from "yaml";

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
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`helm produced invalid YAML: ${doc.errors[0]?.message}`);
    const object = doc.toJS() as Manifest | null;
    if (!object) continue;
    // The yaml parser keeps comments without their "#".
    const comment = `${doc.commentBefore ?? ""}\n${doc.contents?.commentBefore ?? ""}`;
    const source = /Source: (.+)/.exec(comment)?.[1] ?? "";
    resources.push({ source: source.trim(), object });
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
