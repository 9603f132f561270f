import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import type { Found, ProcessFact, RepoView } from "../facts.js";
import { imageService } from "./images.js";
import { basename, commandWords, dnsLabel, plausibleYaml, dirname, found, healthPath, isRecord, joinPath, source, str, strings, toPort } from "./util.js";

const isComposeFile = (path: string): boolean => /^(?:docker-)?compose\.ya?ml$/i.test(basename(path));

interface Compose {
  path: string;
  data: Record<string, unknown>;
  lines: Map<string, number>;
}

function readCompose(path: string, text: string): Compose | undefined {
  if (!plausibleYaml(text)) return undefined;
  try {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
    if (doc.errors.length > 0) return undefined;
    const data: unknown = doc.toJS({ maxAliasCount: 50 });
    if (!isRecord(data)) return undefined;
    const lines = new Map<string, number>();
    const services = doc.get("services", true);
    if (isMap(services)) {
      for (const pair of services.items) {
        if (isScalar(pair.key) && pair.key.range) lines.set(String(pair.key.value), lineCounter.linePos(pair.key.range[0]).line);
      }
    }
    return { path, data, lines };
  } catch {
    return undefined;
  }
}

/** The container side of a `ports:` entry ("8080:3000", "127.0.0.1:80:3000/tcp", {target: 3000}). */
function containerPort(entry: unknown): number | undefined {
  if (isRecord(entry)) return toPort(entry.target);
  if (typeof entry === "number") return toPort(entry);
  if (typeof entry !== "string") return undefined;
  const last = entry.split("/")[0]?.split(":").pop() ?? "";
  return toPort(last.split("-")[0]);
}

function envNames(env: unknown): string[] | undefined {
  const names = Array.isArray(env)
    ? env.filter((e): e is string => typeof e === "string").map((e) => e.split("=")[0]?.trim() ?? "")
    : isRecord(env)
      ? Object.keys(env)
      : [];
  const valid = names.filter((n) => /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(n));
  return valid.length > 0 ? valid : undefined;
}

function caseInsensitive(repo: RepoView, path: string): string {
  const lower = path.toLowerCase();
  return repo.files.includes(path) ? path : (repo.files.find((f) => f.toLowerCase() === lower) ?? path);
}

function buildOf(repo: RepoView, dir: string, build: unknown): { context: string; dockerfile: string } | undefined {
  const spec = typeof build === "string" ? { context: build } : isRecord(build) ? build : undefined;
  if (!spec) return undefined;
  const context = joinPath(dir, str(spec.context) ?? ".");
  const dockerfile = caseInsensitive(repo, joinPath(context, str(spec.dockerfile) ?? "Dockerfile"));
  return { context, dockerfile };
}

function processOf(repo: RepoView, c: Compose, name: string, svc: Record<string, unknown>): ProcessFact | undefined {
  const build = buildOf(repo, dirname(c.path), svc.build);
  if (!build) return undefined;
  const ports = Array.isArray(svc.ports) ? svc.ports : [];
  const expose = Array.isArray(svc.expose) ? svc.expose : [];
  const fact: ProcessFact = { name, role: ports.length + expose.length > 0 ? "web" : "worker", ...build };
  const port = containerPort(ports[0]) ?? containerPort(expose[0]);
  if (port) fact.port = port;
  const command = typeof svc.command === "string" ? commandWords(svc.command) : strings(svc.command);
  if (command && command.length > 0) fact.command = command;
  const test = isRecord(svc.healthcheck) ? svc.healthcheck.test : undefined;
  const health = typeof test === "string" ? healthPath(test) : strings(test) ? healthPath((test as string[]).join(" ")) : undefined;
  if (health) fact.health = health;
  const env = envNames(svc.environment);
  if (env) fact.env = env;
  return fact;
}

/** The image a Dockerfile's last stage starts from: a locally built postgres (extensions added) is still the database. */
function baseImage(text: string | undefined): string | undefined {
  const froms = [...(text ?? "").matchAll(/^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*(\S+)/gim)].map((m) => m[1] as string);
  return froms[froms.length - 1];
}

/** Compose files, parsed once for both the facts and the Dockerfile contexts. */
export function composeFiles(repo: RepoView): Compose[] {
  const out: Compose[] = [];
  for (const path of repo.files.filter(isComposeFile)) {
    const text = repo.read(path);
    const c = text === undefined ? undefined : readCompose(path, text);
    if (c) out.push(c);
  }
  return out;
}

/** Dockerfile path → the build context compose gives it. */
export function composeContexts(repo: RepoView, files: Compose[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of files) {
    if (!isRecord(c.data.services)) continue;
    for (const svc of Object.values(c.data.services)) {
      const build = isRecord(svc) ? buildOf(repo, dirname(c.path), svc.build) : undefined;
      if (build && !out.has(build.dockerfile)) out.set(build.dockerfile, build.context);
    }
  }
  return out;
}

export function composeFacts(repo: RepoView, files: Compose[] = composeFiles(repo)): Found[] {
  const out: Found[] = [];
  for (const c of files) {
    const project = str(c.data.name);
    if (project) out.push(found({ kind: "name", value: dnsLabel(project) }, c.path));
    if (!isRecord(c.data.services)) continue;
    for (const [name, svc] of Object.entries(c.data.services)) {
      if (!isRecord(svc)) continue;
      const at = source(c.path, c.lines.get(name));
      const proc = processOf(repo, c, name, svc);
      const builtBase = proc?.dockerfile ? baseImage(repo.read(proc.dockerfile)) : undefined;
      const builtKind = builtBase ? imageService(builtBase) : undefined;
      if (builtKind && builtBase) {
        out.push(found({ kind: "service", value: { service: builtKind, by: builtBase } }, at));
        continue;
      }
      if (proc) {
        out.push(found({ kind: "process", value: proc }, at));
        continue;
      }
      const image = str(svc.image);
      const kind = image ? imageService(image) : undefined;
      if (kind && image) out.push(found({ kind: "service", value: { service: kind, by: image } }, at));
    }
  }
  return out;
}
