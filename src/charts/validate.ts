import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import { userDirs } from "../fs/paths.js";
import { knowsCoreKind, unknownCoreFields, unknownMetadataFields } from "./core-fields.js";
import { crdKey, crdSchemas, validateCustomResource, type OpenApiSchema } from "./crd-schema.js";
import type { Manifest } from "./manifests.js";
import { objectLimitProblems } from "./object-limits.js";

// The schema packages' versions are part of every cache key: new schemas validate everything again.
const SCHEMA_SET = (() => {
  const require = createRequire(import.meta.url);
  return ["kubernetes-models", "@kubernetes-models/cert-manager", "@kubernetes-models/external-secrets", "@kubernetes/client-node"]
    .map((name) => {
      try {
        return `${name}@${(require(`${name}/package.json`) as { version: string }).version}`;
      } catch {
        return `${name}@?`;
      }
    })
    .concat("strict-fields-1", "limits-1")
    .join(",");
})();

export interface ValidationProblem {
  resource: string;
  path: string;
  message: string;
}

export interface ValidationResult {
  problems: ValidationProblem[];
  /** Custom resources checked without the CRD that defines them (its chart was not available): values only, not unknown fields. */
  withoutCrd: string[];
}

export interface ValidationOptions {
  /** CRD schemas from elsewhere (the platform's render, for the app's ExternalSecrets). */
  crds?: Record<string, OpenApiSchema>;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/**
 * Where the value schema of each API group lives: Kubernetes itself in
 * kubernetes-models, CRDs in their @kubernetes-models packages (used when the
 * real CRD is not at hand).
 */
function modulePath(apiVersion: string): string | undefined {
  const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/") as [string, string]) : ["", apiVersion];
  if (group === "") return `kubernetes-models/${version}`;
  if (group.endsWith("cert-manager.io")) return `@kubernetes-models/cert-manager/${group}/${version}`;
  if (group.endsWith("external-secrets.io")) return `@kubernetes-models/external-secrets/${group}/${version}`;
  if (group.includes(".") && !group.endsWith(".k8s.io")) return undefined;
  return `kubernetes-models/${group}/${version}`;
}

const loaded = new Map<string, Promise<Record<string, unknown> | undefined>>();

function loadGroup(path: string): Promise<Record<string, unknown> | undefined> {
  let module = loaded.get(path);
  if (!module) {
    module = import(path).then(
      (m: Record<string, unknown>) => m,
      () => undefined,
    );
    loaded.set(path, module);
  }
  return module;
}

// Both caches are safe under concurrent runs: keys of validated manifests
// are appended to a log (one write per run, O_APPEND), CRD schemas are one
// file each, written whole by rename; nothing is read, changed and written
// back while another run might do the same.
const KEEP_KEYS = 4000;

const keysFile = () => join(userDirs().cache, "validated-manifests.log");
// The CRDs of renders that had them, so a render without the platform's charts (offline, or the app alone) stays strict.
const crdDir = () => join(userDirs().cache, "crd-schemas");

const hash = (...parts: string[]) => parts.reduce((h, p) => h.update(p).update("\0"), createHash("sha256")).digest("hex").slice(0, 32);

function readKeys(): Set<string> {
  try {
    return new Set(readFileSync(keysFile(), "utf8").split("\n").filter((k) => k.length === 32));
  } catch {
    return new Set();
  }
}

async function appendKeys(known: Set<string>, keys: string[]): Promise<void> {
  try {
    mkdirSync(dirname(keysFile()), { recursive: true });
    if (known.size + keys.length > 2 * KEEP_KEYS) {
      // Compacted to the newest entries; a key another run appends meanwhile may be lost, which only costs a validation.
      await writeFileAtomic(keysFile(), `${[...known, ...keys].slice(-KEEP_KEYS).join("\n")}\n`);
    } else appendFileSync(keysFile(), `${keys.join("\n")}\n`);
  } catch {
    // A cache that cannot be written only costs time next run.
  }
}

/** CRD schemas for this validation: those passed and among the manifests, then the cached ones for custom resources still without one. */
async function knownCrds(manifests: Manifest[], options: ValidationOptions): Promise<Record<string, OpenApiSchema>> {
  const fresh = { ...options.crds, ...crdSchemas(manifests) };
  for (const [key, schema] of Object.entries(fresh)) {
    const file = join(crdDir(), `${hash(key)}.json`);
    const text = JSON.stringify({ key, schema });
    try {
      if (existsSync(file) && readFileSync(file, "utf8") === text) continue;
      mkdirSync(crdDir(), { recursive: true });
      await writeFileAtomic(file, text);
    } catch {
      // Unwritable: the next render without the charts is less strict, and says so.
    }
  }
  const missing = manifests.filter((m) => isCustom(m) && !fresh[crdKey(String(m.apiVersion), String(m.kind))]);
  for (const m of missing) {
    const key = crdKey(String(m.apiVersion), String(m.kind));
    if (fresh[key]) continue;
    try {
      const cached = JSON.parse(readFileSync(join(crdDir(), `${hash(key)}.json`), "utf8")) as { key: string; schema: OpenApiSchema };
      if (cached.key === key) fresh[key] = cached.schema;
    } catch {
      // Never seen: validated by value only, and reported as such.
    }
  }
  return fresh;
}

const resourceName = (m: Manifest) => `${m.kind}/${m.metadata?.name ?? "?"}`;

/**
 * Validates each manifest offline, strictly: values against its kind's
 * schema, and every field against the fields the kind really has (unknown
 * fields are errors, as with the API server's strict field validation).
 * Custom resources are checked against their CRD as the charts ship it.
 * Manifests that passed before (same content, same schemas) are not checked
 * again, which spares loading the schema modules on an unchanged render.
 */
export async function validateManifestsDetailed(manifests: Manifest[], options: ValidationOptions = {}): Promise<ValidationResult> {
  const crds = await knownCrds(manifests, options);
  const schemaOf = (m: Manifest) => crds[crdKey(String(m.apiVersion), String(m.kind))];
  const known = readKeys();
  const keys = manifests.map((m) => hash(SCHEMA_SET, JSON.stringify(schemaOf(m) ?? null), JSON.stringify(m)));
  const todo = manifests.filter((_, i) => !known.has(keys[i] as string));
  const result = await validateUncached(todo, { crds });
  const failed = new Set(result.problems.map((p) => p.resource));
  // A hash of a Secret's data could be guessed back offline where the value is weak: such objects are validated each time instead.
  const holdsSecret = (m: Manifest) => m.kind === "Secret" && (m.data !== undefined || m.stringData !== undefined);
  const passed = keys.filter((key, i) => !known.has(key) && !failed.has(resourceName(manifests[i] as Manifest)) && !holdsSecret(manifests[i] as Manifest));
  if (passed.length > 0) await appendKeys(known, passed);
  // Which custom resources lack their CRD is known without validating again.
  const withoutCrd = manifests.filter((m) => isCustom(m) && !schemaOf(m)).map(resourceName);
  return { problems: result.problems, withoutCrd: [...new Set(withoutCrd)] };
}

export async function validateManifests(manifests: Manifest[], options: ValidationOptions = {}): Promise<ValidationProblem[]> {
  return (await validateManifestsDetailed(manifests, options)).problems;
}

function isCustom(m: Manifest): boolean {
  const apiVersion = String(m.apiVersion);
  const group = apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
  return group.includes(".") && !group.endsWith(".k8s.io");
}

/** Validation without the cache (what a first render pays). */
export async function validateUncached(manifests: Manifest[], options: ValidationOptions = {}): Promise<ValidationResult> {
  const problems: ValidationProblem[] = [];
  const withoutCrd: string[] = [];
  for (const m of manifests) {
    const resource = resourceName(m);
    const add = (path: string, message: string) => problems.push({ resource, path, message });
    for (const p of objectLimitProblems(m)) add(p.path, p.message);
    const schema = options.crds?.[crdKey(String(m.apiVersion), String(m.kind))];
    if (schema) {
      for (const p of validateCustomResource(m, schema)) add(p.path, p.message);
      for (const path of await unknownMetadataFields(m)) add(path, "unknown field");
      continue;
    }
    if (isCustom(m)) withoutCrd.push(resource);
    const path = modulePath(String(m.apiVersion));
    const group = path ? await loadGroup(path) : undefined;
    const Model = group?.[m.kind] as ModelClass | undefined;
    if (!Model) {
      add("", `no schema for ${m.apiVersion} ${m.kind}: unknown to this Kubernetes version and to the CRDs rendered with the platform`);
      continue;
    }
    try {
      new Model(m).validate();
    } catch (error) {
      const details = (error as { errors?: { instancePath: string; message?: string }[] }).errors;
      if (details?.length) {
        for (const d of details) add(d.instancePath.replace(/^\//, "").replace(/\//g, "."), d.message ?? "invalid");
      } else {
        add("", (error as Error).message);
      }
    }
    if (await knowsCoreKind(String(m.apiVersion), String(m.kind))) {
      for (const field of await unknownCoreFields(m)) add(field, "unknown field");
    } else {
      for (const field of await unknownMetadataFields(m)) add(field, "unknown field");
    }
  }
  return { problems, withoutCrd };
}
