import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import { userDirs } from "../fs/paths.js";
import { knowsCoreKind, unknownCoreFields, unknownMetadataFields } from "./core-fields.js";
import { crdKey, crdSchemas, validateCustomResource, type OpenApiSchema } from "./crd-schema.js";
import type { Manifest } from "./manifests.js";

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
    .concat("strict-fields-1")
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

const CACHE_LIMIT = 2000;

const cacheFile = () => join(userDirs().cache, "validated-manifests.json");
// The CRDs of the last render that had them, so a render without the platform's charts (offline, or the app alone) stays strict.
const crdCacheFile = () => join(userDirs().cache, "crd-schemas.json");

function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return fallback;
  }
}

async function writeCache(file: string, data: unknown): Promise<void> {
  try {
    mkdirSync(dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify(data));
  } catch {
    // A cache that cannot be written only costs time next run.
  }
}

const hash = (...parts: string[]) => parts.reduce((h, p) => h.update(p).update("\0"), createHash("sha256")).digest("hex").slice(0, 32);

/** CRD schemas known for this validation: the cached ones, updated by any CRDs passed or among the manifests. */
async function knownCrds(manifests: Manifest[], options: ValidationOptions): Promise<Record<string, OpenApiSchema>> {
  const cached = readJson<Record<string, OpenApiSchema>>(crdCacheFile(), {});
  const fresh = { ...options.crds, ...crdSchemas(manifests) };
  const changed = Object.entries(fresh).some(([key, schema]) => JSON.stringify(cached[key]) !== JSON.stringify(schema));
  const all = { ...cached, ...fresh };
  if (changed) await writeCache(crdCacheFile(), all);
  return all;
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
  const known = new Set(readJson<string[]>(cacheFile(), []));
  const keys = manifests.map((m) => hash(SCHEMA_SET, JSON.stringify(schemaOf(m) ?? null), JSON.stringify(m)));
  const todo = manifests.filter((_, i) => !known.has(keys[i] as string));
  const result = await validateUncached(todo, { crds });
  const failed = new Set(result.problems.map((p) => p.resource));
  const passed = keys.filter((key, i) => !known.has(key) && !failed.has(resourceName(manifests[i] as Manifest)));
  if (passed.length > 0) await writeCache(cacheFile(), [...known, ...passed].slice(-CACHE_LIMIT));
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
