import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import type { Found, ProcessFact, RepoView } from "../facts.js";
import { sourceFiles } from "./env.js";
import { imageService, unsupportedImage } from "./images.js";
import { basename, commandWords, dnsLabel, plausibleYaml, dirname, found, healthPath, isRecord, joinPath, source, splitLines, str, strings, toPort, words } from "./util.js";

const isComposeFile = (path: string): boolean => /^(?:docker-)?compose(?:\.(?:prod|production))?\.ya?ml$/i.test(basename(path));
/** A production compose file (docker-compose.prod.yml) wins over the plain one beside it; overrides and dev files are not read. */
const isProdCompose = (path: string): boolean => /\.(?:prod|production)\.ya?ml$/i.test(basename(path));

interface Compose {
  path: string;
  data: Record<string, unknown>;
  lines: Map<string, number>;
}

function readCompose(path: string, text: string): Compose | undefined {
  if (!plausibleYaml(text)) return undefined;
  try {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, uniqueKeys: false, merge: true });
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
  // "${PORT_FORWARD:-127.0.0.1:8000}:${PORT:-8000}": compose's defaults are what runs.
  const last = entry.replace(/\$\{[A-Za-z_]\w*:?-([^}]*)\}/g, "$1").split("/")[0]?.split(":").pop() ?? "";
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

/** Words of a compose command (string or list). */
function commandOf(command: unknown): string[] | undefined {
  const w = typeof command === "string" ? commandWords(command) : strings(command);
  return w && w.length > 0 ? w : undefined;
}

// A reloader, a file watcher or a debug server is how a laptop runs the app, not how it is deployed.
const DEV_COMMAND = /(?:^|\s)(?:--reload|--debug|--watch)(?:\s|$|=)|\bnodemon\b|\bts-node-dev\b|\btsx\s+watch\b|\bwatchmedo\b|\bair\b(?:\s|$)|\bflask\s+run\b|\brunserver\b|\b[\w:-]*watch\b|\bnext\s+dev\b|\bvite(?:\s+dev)?\s*$|\bnpm\s+run\s+dev\b|\byarn\s+dev\b/;
// A shell loop waiting for another container to accept connections before the real command.
const WAIT_FOR = /(?:until|while)\s*!?\s*(?:<\s*\/dev\/tcp|nc\s|pg_isready|curl|wget)[^;]*;\s*do\b[^;]*;\s*done\s*(?:;|&&)\s*/;

/**
 * The command to keep from a development one: a wait-for loop's payload
 * without its reloader flag, when that leaves an ordinary server; undefined
 * when only the image's own CMD is right.
 */
export function productionCommand(command: string[]): { command?: string[]; dev: boolean } {
  let line = command.join(" ");
  const shell = /^(?:sh|bash)\s+-c\s+/.exec(line);
  if (shell) line = line.slice(shell[0].length).replace(/^(?:bash|sh)\s+-c\s+/, "").replace(/^(["'])([\s\S]*)\1\s*$/, "$2").trim();
  const waits = WAIT_FOR.test(line);
  if (!waits && !DEV_COMMAND.test(line)) return { command, dev: false };
  if (waits) line = line.replace(new RegExp(`^[\\s\\S]*${WAIT_FOR.source}`), "").trim();
  line = line.replace(/\s--reload(?=\s|$)/g, "").trim();
  if (line === "" || DEV_COMMAND.test(line) || /[|&;<>`]|\$\(/.test(line)) return { dev: true };
  return { command: words(line), dev: true };
}

// Profiles a service only runs under for a chore: building assets, tests, tooling.
const CHORE_PROFILES = /^(?:tools?|test|tests|ci|debug|dev|development|assets|build|migrate|migrations?|seed|setup|init|docs|lint|admin|manual|cli|scripts?|backup)$/i;
// Commands that run once and exit.
const ONE_SHOT = /\b(?:migrate|migrations?|seed|db:(?:setup|prepare|create|seed)|collectstatic|createsuperuser|alembic\s+upgrade|(?:npm|yarn|pnpm)\s+(?:run\s+)?(?:build|test|lint)(?::[\w-]+)?|pytest|rspec|go\s+test|init-db|setup)\b/;
const SERVER = /\b(?:gunicorn|uvicorn|hypercorn|daphne|runserver|puma|unicorn|rails\s+s(?:erver)?|node|npm\s+start|yarn\s+start|serve|sidekiq|celery|rq\s+worker|exec)\b/;
const MIGRATION = /\bmigrate\b|\bmigrations?\b|db:migrate|db:prepare|alembic\s+upgrade/;

/** Why a compose service runs once rather than for good, if it does. */
function oneShot(svc: Record<string, unknown>, command: string[] | undefined): string | undefined {
  if (svc.restart === "no" || svc.restart === false) return `restart: ${String(svc.restart)}`;
  const profiles = strings(svc.profiles);
  if (profiles && profiles.length > 0 && profiles.every((p) => CHORE_PROFILES.test(p))) return `profiles: ${profiles.join(", ")}`;
  // `migrate && gunicorn …` migrates and then serves.
  if (command && ONE_SHOT.test(command.join(" ")) && !SERVER.test(command.join(" "))) return `its command (${command.join(" ")}) exits`;
  return undefined;
}

/** Ports other services reach this one on: an nginx proxy_pass, traefik's loadbalancer label, another service's URL. */
function proxiedPorts(repo: RepoView, files: Compose[]): Map<string, number> {
  const out = new Map<string, number>();
  const note = (text: string, name?: string) => {
    for (const m of text.matchAll(/\bhttps?:\/\/([A-Za-z][\w-]{0,62}):(\d{2,5})\b/g)) {
      const host = m[1] as string;
      const port = toPort(m[2]);
      if (port && host !== name && host !== "localhost" && !out.has(host)) out.set(host, port);
    }
  };
  for (const path of repo.files.filter((f) => /(?:^|\/)nginx[^/]*\.conf(?:\.template)?$|\.conf(?:\.template)?$/.test(f) && !/node_modules/.test(f))) {
    const text = repo.read(path) ?? "";
    for (const m of text.matchAll(/\bproxy_pass\s+(https?:\/\/[^;\s]+)/g)) note(m[1] as string);
    // An upstream block names its servers without a scheme.
    for (const m of text.matchAll(/^\s*server\s+([A-Za-z][\w-]{0,62}):(\d{2,5})\b/gm)) note(`http://${m[1] as string}:${m[2] as string}`);
  }
  for (const c of files) {
    if (!isRecord(c.data.services)) continue;
    for (const [name, svc] of Object.entries(c.data.services)) {
      if (!isRecord(svc)) continue;
      const labels = Array.isArray(svc.labels) ? svc.labels.filter((l): l is string => typeof l === "string") : isRecord(svc.labels) ? Object.entries(svc.labels).map(([k, v]) => `${k}=${String(v)}`) : [];
      const lb = labels.map((l) => /loadbalancer\.server\.port\s*=\s*(\d{2,5})/.exec(l)?.[1]).find((p) => p !== undefined);
      if (lb && toPort(lb)) out.set(name, toPort(lb) as number);
      const env = svc.environment;
      const values = Array.isArray(env) ? env.filter((e): e is string => typeof e === "string") : isRecord(env) ? Object.values(env).map((v) => String(v)) : [];
      for (const v of values) note(v, name);
    }
  }
  return out;
}

/** Whether a build context holds a proxy configuration that forwards to other services. */
function proxies(repo: RepoView, context: string): boolean {
  const prefix = context === "." ? "" : `${context}/`;
  return repo.files.some((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes("/") && /\b(?:proxy_pass|reverse_proxy|upstream)\b/.test(repo.read(f) ?? ""));
}

/** The port a command's own flag names (`puma -p 28080`, `--port 8000`, `--bind 0.0.0.0:8000`). */
function commandPort(command: string[] | undefined): number | undefined {
  const line = command?.join(" ") ?? "";
  const m = /(?:^|\s)(?:-p|--port)[\s=]+(\d{2,5})\b|(?:^|\s)(?:-b|--bind)[\s=]+(?:[\w.]*:)(\d{2,5})\b/.exec(line);
  return toPort(m?.[1] ?? m?.[2]);
}

function processOf(repo: RepoView, c: Compose, name: string, svc: Record<string, unknown>, proxied: Map<string, number>): ProcessFact | undefined {
  const build = buildOf(repo, dirname(c.path), svc.build);
  if (!build) return undefined;
  const ports = Array.isArray(svc.ports) ? svc.ports : [];
  const expose = Array.isArray(svc.expose) ? svc.expose : [];
  const reached = proxied.get(name);
  const fact: ProcessFact = { name, role: ports.length + expose.length > 0 || reached !== undefined ? "web" : "worker", ...build };
  const target = isRecord(svc.build) ? str(svc.build.target) : undefined;
  if (target) fact.target = target;
  const port = reached ?? containerPort(ports[0]) ?? containerPort(expose[0]) ?? commandPort(commandOf(svc.command));
  if (port) fact.port = port;
  const command = commandOf(svc.command);
  if (command) {
    const prod = productionCommand(command);
    if (prod.command) fact.command = prod.command;
    if (prod.dev) fact.devCommand = command;
  }
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
  // A production file first: the first declaration of a service wins.
  for (const path of repo.files.filter(isComposeFile).sort((a, b) => Number(isProdCompose(b)) - Number(isProdCompose(a)))) {
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
  const proxied = proxiedPorts(repo, files);
  for (const c of files) {
    const project = str(c.data.name);
    if (project) out.push(found({ kind: "name", value: dnsLabel(project) }, c.path));
    if (!isRecord(c.data.services)) continue;
    for (const [name, svc] of Object.entries(c.data.services)) {
      if (!isRecord(svc)) continue;
      const at = source(c.path, c.lines.get(name));
      const proc = processOf(repo, c, name, svc, proxied);
      const builtBase = proc?.dockerfile ? baseImage(repo.read(proc.dockerfile)) : undefined;
      const builtKind = builtBase ? imageService(builtBase) : undefined;
      if (builtKind && builtBase) {
        out.push(found({ kind: "service", value: { service: builtKind, by: builtBase } }, at));
        continue;
      }
      const image = str(svc.image);
      // A reverse proxy in front of the app's services is what devstack's routing replaces.
      if (proc && builtBase && /^(?:[\w.-]+\/)*(?:nginx|caddy|traefik|haproxy|envoy)(?::|$)/i.test(builtBase) && proxies(repo, proc.context ?? ".")) {
        out.push(found({ kind: "warning", value: { message: `compose service ${name} is a reverse proxy (${builtBase}) in front of the app; devstack routes traffic itself, so it was left out` } }, at));
        continue;
      }
      if (proc) {
        const command = commandOf(svc.command);
        const once = oneShot(svc, command);
        if (once && command && MIGRATION.test(command.join(" "))) out.push(found({ kind: "migrate", value: { command: proc.command ?? command } }, at));
        else if (once) out.push(found({ kind: "warning", value: { message: `compose service ${name} runs once (${once}); it is not a long-running component and was left out` } }, at));
        else out.push(found({ kind: "process", value: proc }, at));
        continue;
      }
      const kind = image ? imageService(image) : undefined;
      if (kind && image) out.push(found({ kind: "service", value: { service: kind, by: image } }, at));
      const store = image ? unsupportedImage(image) : undefined;
      if (store && image) out.push(found({ kind: "unsupported", value: { store, by: image } }, at));
    }
  }
  return out;
}

const ENV_READ = /\b(?:environ|getenv|Getenv|ENV\b|process\.env|System\.getenv|env\()/;

/**
 * Connection strings in the code that name a compose hostname (`@db:5432`,
 * `host="redis"`): they only resolve inside compose's network, so the code
 * must read the URL from the environment instead.
 */
export function hardcodedHostFacts(repo: RepoView, files: Compose[] = composeFiles(repo)): Found[] {
  const hosts = new Set<string>();
  for (const c of files) {
    if (!isRecord(c.data.services)) continue;
    for (const [name, svc] of Object.entries(c.data.services)) {
      const image = isRecord(svc) ? str(svc.image) : undefined;
      if (image && (imageService(image) || unsupportedImage(image))) hosts.add(name);
    }
  }
  if (hosts.size === 0) return [];
  const names = [...hosts].map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const patterns = [new RegExp(`://[^\\s"'\`/@]*@(${names})(?::\\d{2,5})?(?=[/"'\`\\s?]|$)`), new RegExp(`\\bhost(?:name)?\\s*[:=]\\s*["'](${names})["']`, "i")];
  const out: Found[] = [];
  for (const path of sourceFiles(repo)) {
    const text = repo.read(path);
    if (!text || !patterns.some((re) => re.test(text))) continue;
    splitLines(text).forEach((line, i) => {
      if (line.length > 2000 || ENV_READ.test(line)) return;
      const host = patterns.map((re) => re.exec(line)?.[1]).find((h) => h !== undefined);
      if (host) out.push(found({ kind: "warning", value: { message: `the code connects to the compose hostname "${host}", which exists only inside compose's network: read the URL from the environment instead` } }, `${path}:${i + 1}`));
    });
  }
  return out;
}
