import { parse as parseYaml } from "yaml";
import type { Found, ProcessFact, RepoView, ServiceKind } from "../facts.js";
import { basename, commandWords, plausibleYaml, escapeRegExp, found, isRecord, lineMatching, parseJson, source, str, toPort } from "./util.js";
import { parseToml, type TomlTable } from "./toml.js";

const ADDONS: [RegExp, ServiceKind][] = [
  [/^heroku-postgresql\b/, "database"],
  [/^(?:heroku-redis|rediscloud|redistogo|heroku-key-value)\b/, "redis"],
  [/^(?:sendgrid|mailgun|postmark|mailtrap)\b/, "mail"],
  [/^(?:bucketeer|cloudcube)\b/, "storage"],
];

function lineOf(text: string, needle: string): number | undefined {
  return lineMatching(text, (l) => l.includes(needle));
}

function appJson(path: string, text: string): Found[] {
  const data = parseJson(text);
  if (!isRecord(data)) return [];
  const out: Found[] = [];
  const at = (needle: string): string => source(path, lineOf(text, needle));
  if (isRecord(data.formation)) {
    for (const name of Object.keys(data.formation)) {
      out.push(found({ kind: "process", value: { name, role: name === "web" ? "web" : "worker" } }, at(`"${name}"`)));
    }
  }
  const postdeploy = isRecord(data.scripts) ? data.scripts.postdeploy : undefined;
  const command = typeof postdeploy === "string" ? postdeploy : isRecord(postdeploy) ? str(postdeploy.command) : undefined;
  if (command) out.push(found({ kind: "migrate", value: { command: commandWords(command) } }, at('"postdeploy"')));
  if (isRecord(data.env)) {
    for (const name of Object.keys(data.env)) out.push(found({ kind: "env", value: { name, from: "manifest" } }, at(`"${name}"`)));
  }
  for (const addon of Array.isArray(data.addons) ? data.addons : []) {
    const plan = typeof addon === "string" ? addon : isRecord(addon) ? str(addon.plan) : undefined;
    const kind = plan ? ADDONS.find(([re]) => re.test(plan))?.[1] : undefined;
    if (kind && plan) out.push(found({ kind: "service", value: { service: kind, by: plan } }, at(plan)));
  }
  return out;
}

/** The line of `key =` inside `[table]`, since the same key may sit elsewhere (`app = "…"` at the top of fly.toml). */
function keyInTable(text: string, table: string, key: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const header = new RegExp(`^\\s*\\[\\s*${escapeRegExp(table)}\\s*\\]`);
  const entry = new RegExp(`^\\s*["']?${escapeRegExp(key)}["']?\\s*=`);
  const start = lines.findIndex((l) => header.test(l));
  if (start < 0) return undefined;
  for (let i = start + 1; i < lines.length && !/^\s*\[/.test(lines[i] as string); i++) if (entry.test(lines[i] as string)) return i + 1;
  return undefined;
}

const tables = (v: unknown): TomlTable[] => (Array.isArray(v) ? v.filter(isRecord) : isRecord(v) ? [v] : []) as TomlTable[];

function flyToml(path: string, text: string): Found[] {
  const data = parseToml(text);
  if (!data) return [];
  const out: Found[] = [];
  const at = (needle: string): string => source(path, lineOf(text, needle));
  const http = isRecord(data.http_service) ? data.http_service : undefined;
  const services = [...(http ? [http] : []), ...tables(data.services)];
  const webProcesses = new Set<string>();
  for (const svc of services) {
    const port = toPort(svc.internal_port);
    if (port) out.push(found({ kind: "port", value: { port } }, at("internal_port")));
    for (const p of Array.isArray(svc.processes) ? svc.processes : []) if (typeof p === "string") webProcesses.add(p);
    for (const check of [...tables(svc.checks), ...tables(svc.http_checks)]) {
      const p = str(check.path);
      if (p) out.push(found({ kind: "health", value: { path: p } }, at("path")));
    }
  }
  if (isRecord(data.checks)) {
    for (const check of Object.values(data.checks)) {
      const p = isRecord(check) ? str(check.path) : undefined;
      if (p) out.push(found({ kind: "health", value: { path: p } }, at("path")));
    }
  }
  if (isRecord(data.processes)) {
    const web = webProcesses.size > 0 ? webProcesses : new Set(["app", "web"]);
    for (const [name, cmd] of Object.entries(data.processes)) {
      const proc: ProcessFact = { name, role: web.has(name) ? "web" : "worker" };
      if (typeof cmd === "string" && cmd.trim()) proc.command = commandWords(cmd);
      out.push(found({ kind: "process", value: proc }, source(path, keyInTable(text, "processes", name))));
    }
  }
  const release = isRecord(data.deploy) ? str(data.deploy.release_command) : undefined;
  if (release) out.push(found({ kind: "migrate", value: { command: commandWords(release) } }, at("release_command")));
  return out;
}

const RENDER_ROLES: Record<string, ProcessFact["role"]> = { web: "web", worker: "worker", pserv: "worker", cron: "scheduled" };

function renderYaml(path: string, text: string): Found[] {
  if (!plausibleYaml(text)) return [];
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 50 });
  } catch {
    return [];
  }
  if (!isRecord(data)) return [];
  const out: Found[] = [];
  const at = (needle: string): string => source(path, lineOf(text, needle));
  for (const svc of Array.isArray(data.services) ? data.services.filter(isRecord) : []) {
    const type = str(svc.type) ?? "";
    const name = str(svc.name) ?? type;
    const where = at(`name: ${name}`);
    if (type === "redis" || type === "keyvalue") {
      out.push(found({ kind: "service", value: { service: "redis", by: `render ${type}` } }, where));
      continue;
    }
    const role = RENDER_ROLES[type];
    if (!role) continue;
    const proc: ProcessFact = { name, role };
    const start = str(svc.startCommand);
    if (start) proc.command = commandWords(start);
    const health = str(svc.healthCheckPath);
    if (health) proc.health = health;
    const schedule = str(svc.schedule);
    if (schedule) proc.schedule = schedule;
    const dockerfile = str(svc.dockerfilePath);
    if (dockerfile) proc.dockerfile = dockerfile.replace(/^\.\//, "");
    const context = str(svc.dockerContext);
    if (context) proc.context = context.replace(/^\.\/?/, "") || ".";
    const env = (Array.isArray(svc.envVars) ? svc.envVars : []).map((e) => (isRecord(e) ? str(e.key) : undefined)).filter((k): k is string => !!k);
    if (env.length > 0) proc.env = env;
    out.push(found({ kind: "process", value: proc }, where));
    const pre = str(svc.preDeployCommand);
    if (pre) out.push(found({ kind: "migrate", value: { command: commandWords(pre) } }, at("preDeployCommand")));
  }
  for (const db of Array.isArray(data.databases) ? data.databases.filter(isRecord) : []) {
    out.push(found({ kind: "service", value: { service: "database", by: `render database ${str(db.name) ?? ""}`.trim() } }, at(`name: ${str(db.name) ?? ""}`)));
  }
  return out;
}

/** Platform manifests (Heroku app.json, fly.toml, render.yaml): what the app already tells another PaaS. */
export function manifestFacts(repo: RepoView): Found[] {
  const out: Found[] = [];
  for (const path of repo.files) {
    const name = basename(path);
    const reader = name === "app.json" ? appJson : name === "fly.toml" ? flyToml : /^render\.ya?ml$/.test(name) ? renderYaml : undefined;
    const text = reader ? repo.read(path) : undefined;
    if (reader && text !== undefined) out.push(...reader(path, text));
  }
  return out;
}
