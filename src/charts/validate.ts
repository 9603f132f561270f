import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import { userDirs } from "../fs/paths.js";
import type { Manifest } from "./manifests.js";

// The schema packages' versions are part of every cache key: new schemas validate everything again.
const SCHEMA_SET = (() => {
  const require = createRequire(import.meta.url);
  return ["kubernetes-models", "@kubernetes-models/cert-manager", "@kubernetes-models/external-secrets"]
    .map((name) => {
      try {
        return `${name}@${(require(`${name}/package.json`) as { version: string }).version}`;
      } catch {
        return `${name}@?`;
      }
    })
    .join(",");
})();

export interface ValidationProblem {
  resource: string;
  path: string;
  message: string;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/**
 * Where the schema of each API group lives: Kubernetes itself in
 * kubernetes-models, CRDs in their @kubernetes-models packages.
 */
function modulePath(apiVersion: string): string | undefined {
  const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/") as [string, string]) : ["", apiVersion];
  if (group === "") return `kubernetes-models/${version}`;
  if (group.endsWith("cert-manager.io")) return `@kubernetes-models/cert-manager/${group}/${version}`;
  if (group.endsWith("external-secrets.io")) return `@kubernetes-models/external-secrets/${group}/${version}`;
  if (group.endsWith("traefik.io") || group.endsWith("traefik.containo.us")) return `@kubernetes-models/traefik/${group}/${version}`;
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

function cacheFile(): string {
  return join(userDirs().cache, "validated-manifests.json");
}

function readCache(): string[] {
  try {
    return JSON.parse(readFileSync(cacheFile(), "utf8")) as string[];
  } catch {
    return [];
  }
}

function manifestKey(m: Manifest): string {
  return createHash("sha256").update(SCHEMA_SET).update(JSON.stringify(m)).digest("hex").slice(0, 32);
}

/**
 * Validates each manifest offline against the OpenAPI schema of its kind.
 * Manifests that passed before (same content, same schema packages) are not
 * validated again, which spares loading the schema modules on an unchanged render.
 */
export async function validateManifests(manifests: Manifest[]): Promise<ValidationProblem[]> {
  const known = new Set(readCache());
  const keys = manifests.map(manifestKey);
  const todo = manifests.filter((_, i) => !known.has(keys[i] as string));
  const problems = await validateUncached(todo);
  const failed = new Set(problems.map((p) => p.resource));
  const passed = manifests.filter((m, i) => !known.has(keys[i] as string) && !failed.has(`${m.kind}/${m.metadata?.name ?? "?"}`));
  if (passed.length > 0) {
    const next = [...known, ...passed.map(manifestKey)].slice(-CACHE_LIMIT);
    try {
      mkdirSync(dirname(cacheFile()), { recursive: true });
      await writeFileAtomic(cacheFile(), JSON.stringify(next));
    } catch {
      // A cache that cannot be written only costs time next run.
    }
  }
  return problems;
}

/** Validation without the cache (what a first render pays). */
export async function validateUncached(manifests: Manifest[]): Promise<ValidationProblem[]> {
  const problems: ValidationProblem[] = [];
  for (const m of manifests) {
    const resource = `${m.kind}/${m.metadata?.name ?? "?"}`;
    const path = modulePath(String(m.apiVersion));
    const group = path ? await loadGroup(path) : undefined;
    const Model = group?.[m.kind] as ModelClass | undefined;
    if (!Model) {
      problems.push({ resource, path: "", message: `no schema for ${m.apiVersion} ${m.kind}: unknown to this Kubernetes version and to the CRD schemas devstack knows` });
      continue;
    }
    try {
      new Model(m).validate();
    } catch (error) {
      const details = (error as { errors?: { instancePath: string; message?: string }[] }).errors;
      if (details?.length) {
        for (const d of details) problems.push({ resource, path: d.instancePath.replace(/^\//, "").replace(/\//g, "."), message: d.message ?? "invalid" });
      } else {
        problems.push({ resource, path: "", message: (error as Error).message });
      }
    }
  }
  return problems;
}
