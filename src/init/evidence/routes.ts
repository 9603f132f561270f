import type { Found, RepoView } from "../facts.js";
import { sourceFiles } from "./env.js";
import { found, splitLines, toPort } from "./util.js";

const NAMES = "healthz|health|healthcheck|up|ping|status|livez|readyz|_health|api\\/health|api\\/healthz|health\\/live|health\\/ready";
// Go 1.22 mux patterns carry the method: "GET /healthz".
const HEALTH = new RegExp(`["'\`](?:(?:GET|HEAD)\\s+)?(\\/(?:${NAMES})\\/?)["'\`]`);
// Django's path() and re_path() take the route without its leading slash: path("healthz/", …).
const DJANGO = new RegExp(`\\b(?:re_)?path\\(\\s*r?["']\\^?((?:${NAMES})\\/?)\\$?["']`);
// A bare "/status" string is often a client URL; only a line that declares a route counts.
const ROUTE = /(?:\b(?:get|head|all|route|handle|handlefunc|handler|path|mapget|use|add_url_rule|add_api_route|match)\s*\(|\b(?:pathname|url|path)\s*===?\s*["'`]|\bcase\s+["'`]|@(?:app|router|api|bp|blueprint|\w+)\.(?:get|route|api_route)\b|@(?:Get|Request)Mapping\b|\b(?:get|match)\s+["']|\bGET\s)/i;

const LISTEN: RegExp[] = [
  /\.listen\(\s*(\d{2,5})\b/,
  /\blisten\(\s*\{[^}]{0,200}?\bport\s*:\s*(\d{2,5})\b/,
  /\bPORT\b[^\n=]{0,10}?\s*(?:\|\||\?\?)\s*["']?(\d{2,5})\b/,
  /\bgetenv\(\s*["']PORT["']\s*,\s*["']?(\d{2,5})\b/,
  /\.get\(\s*["']PORT["']\s*,\s*["']?(\d{2,5})\b/,
  /ListenAndServe(?:TLS)?\(\s*"[\w.-]{0,100}:(\d{2,5})"/,
  /\bAddr\s*:\s*"[\w.-]{0,100}:(\d{2,5})"/,
  /\.(?:Run|Start|Listen)\(\s*"[\w.-]{0,100}:(\d{2,5})"/,
  /\b(?:app|uvicorn|web)\.run\([^)]{0,300}?\bport\s*=\s*(\d{2,5})\b/,
  /^\s*port\s+ENV\.fetch\(\s*["']PORT["']\s*\)\s*\{\s*(\d{2,5})\s*\}/,
  /\bbind\(\s*\(?\s*["'][\w.:-]{0,100}:(\d{2,5})["']/,
];

// What a health handler touches when it checks its dependencies rather than the process alone.
// Verbs count as calls (`db.execute(`, `client.ping()`), so a literal {"ping": "pong"} or a comment does not; SQL is read inside strings.
const DEPENDENCY = /(?:\b(?:query|execute|exec|ping|Ping(?:Context)?)|\$queryRaw|\$executeRaw)\s*\(|\b(?:cursor|pool|db|redis|knex|sequelize|prisma|ActiveRecord|connection|session)\b\s*[.[]/;
const SQL = /["'`]\s*SELECT\b/i;

/**
 * The handler's lines after the route declaration at `i`: a decorated
 * Python function by indentation, anything else by balanced brackets; empty
 * when the declaration does not hold the handler (routes.rb, a named handler).
 */
function handlerBody(lines: string[], i: number): string[] {
  const first = lines[i] as string;
  const indent = (l: string) => /^\s*/.exec(l)?.[0].length ?? 0;
  if (/^\s*@/.test(first)) {
    let j = i + 1;
    while (j < lines.length && /^\s*@/.test(lines[j] as string)) j++;
    // A signature over several lines ends at its colon: its parameters (db: Session = Depends(…)) are not the body.
    while (j < Math.min(lines.length, i + 12) && !/:\s*(?:#.*)?$/.test(lines[j] as string)) j++;
    const body: string[] = [];
    for (let k = j + 1; k < Math.min(lines.length, j + 40); k++) {
      const l = lines[k] as string;
      if (l.trim() !== "" && indent(l) <= indent(first)) break;
      body.push(l);
    }
    return body;
  }
  let depth = 0;
  const body: string[] = [];
  for (let k = i; k < Math.min(lines.length, i + 40); k++) {
    const l = (lines[k] as string).replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""');
    for (const ch of l) depth += "({[".includes(ch) ? 1 : ")}]".includes(ch) ? -1 : 0;
    body.push(k === i ? l.slice(l.search(/,|=>|\{/) + 1) : l);
    if (depth <= 0) break;
  }
  return body;
}

/** Whether the handler at `i` touches a database or Redis; undefined when its body cannot be read. */
function checksDependencies(lines: string[], i: number): boolean | undefined {
  const body = handlerBody(lines, i).join("\n");
  if (!/\S/.test(body.replace(/[(){}[\];,]/g, ""))) return undefined;
  // A handler that only names another function cannot be judged from here.
  if (!/=>|\bfunction\b|\bfunc\s*\(|\blambda\b|->|\bdef\b|\{/.test(body) && !/^\s*@/.test(lines[i] as string)) return undefined;
  const code = body
    .split("\n")
    .map((l) => l.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""').replace(/(?:^|\s)(?:#|\/\/).*$/, ""))
    .join("\n");
  return DEPENDENCY.test(code) || SQL.test(body);
}

/** Health endpoints the code declares, each path once per directory, with whether the handler checks dependencies when it can be read. */
export function healthRouteFacts(repo: RepoView, files: string[] = sourceFiles(repo)): Found[] {
  const out: Found[] = [];
  const seen = new Set<string>();
  const all = [...files, ...repo.files.filter((f) => /(?:^|\/)config\/routes\.rb$/.test(f) && !files.includes(f))];
  for (const path of all) {
    const text = repo.read(path) ?? "";
    if (!HEALTH.test(text) && !DJANGO.test(text)) continue;
    const lines = splitLines(text);
    lines.forEach((line, i) => {
      if (line.length > 2000) return;
      const django = DJANGO.exec(line);
      const m = django ? `/${django[1] as string}` : ROUTE.test(line) ? HEALTH.exec(line)?.[1] : undefined;
      // Once per directory: two components may well both serve /healthz.
      const dir = path.replace(/\/?[^/]*$/, "");
      if (!m || seen.has(`${dir} ${m}`)) return;
      seen.add(`${dir} ${m}`);
      const checks = django ? undefined : checksDependencies(lines, i);
      out.push(found({ kind: "health", value: checks === undefined ? { path: m } : { path: m, checks } }, `${path}:${i + 1}`));
    });
  }
  // File-system routes: Next.js app/api/<x>/route.* and pages/api/<x>.* answer at /api/<x>.
  for (const file of repo.files) {
    const next = /(?:^|\/)(?:src\/)?(?:app\/api\/((?:[\w-]+\/)*?[\w-]+)\/route|pages\/api\/((?:[\w-]+\/)*?[\w-]+))\.(?:js|jsx|ts|tsx|mjs)$/.exec(file);
    const route = next ? `/api/${(next[1] ?? next[2]) as string}` : undefined;
    if (!route || !new RegExp(`^\\/api\\/(?:${NAMES})$`).test(route) || seen.has(route)) continue;
    seen.add(route);
    out.push(found({ kind: "health", value: { path: route } }, file));
  }
  return out;
}

// A router mounted under a prefix: Fastify's register({ prefix }), Express's use("/api", …), FastAPI's prefix="/api", Flask's url_prefix.
const MOUNT = [/\b(?:url_)?prefix\s*[:=]\s*["'`](\/[\w.-]+)/, /\.use\(\s*["'`](\/[\w.-]+)\/?["'`]\s*,/, /\bRoute\(\s*["'`](\/[\w.-]+)["'`]/];
// Files served at the root: Express/Koa static middleware without a mount path, a root index template.
const ROOT_STATIC = /\.use\(\s*(?:express|koa|serve)[\w.]*\.?static\(|\buse\(\s*serveStatic\(|\bStaticFiles\(|mount\(\s*["']\/["']/;
const LITERAL = /["'`](?:(?:GET|POST|PUT|PATCH|DELETE|HEAD)\s+)?(\/[^"'`\s]*)["'`]/;

/**
 * Where the code's routes live, as their first path segment ("/api", or "/"
 * for pages at the root), once per file; mounted router prefixes marked as
 * such. Health endpoints are left out: every component has one.
 */
export function routeFacts(repo: RepoView, files: string[] = sourceFiles(repo)): Found[] {
  const out: Found[] = [];
  for (const path of files) {
    const text = repo.read(path) ?? "";
    const seen = new Set<string>();
    splitLines(text).forEach((line, i) => {
      if (line.length > 2000 || /^\s*(?:\/\/|#)/.test(line)) return;
      const mount = MOUNT.map((re) => re.exec(line)?.[1]).find((m) => m !== undefined);
      const literal = ROUTE.test(line) ? LITERAL.exec(line)?.[1] : undefined;
      const at = ROOT_STATIC.test(line) ? "/" : (mount ?? literal);
      if (at === undefined || HEALTH.test(`"${at}"`) || /^\/[\w.-]+\.[a-z]{2,4}$/i.test(at)) return;
      const prefix = at.split("/").slice(0, 2).join("/") || "/";
      const key = `${mount ? "mount" : "route"} ${prefix}`;
      if (prefix.includes(":") || prefix.includes("{") || seen.has(key)) return;
      seen.add(key);
      out.push(found({ kind: "route", value: mount ? { prefix, mount: true } : { prefix } }, `${path}:${i + 1}`));
    });
  }
  return out;
}

/** Ports the code listens on, as literals (`listen(3000)`, `PORT || 3000`, `ListenAndServe(":8080", …)`). */
export function listenPortFacts(repo: RepoView, files: string[] = sourceFiles(repo)): Found[] {
  const out: Found[] = [];
  for (const path of files) {
    const text = repo.read(path) ?? "";
    if (!/listen|port|\.(?:run|start)\(|bind\(/i.test(text)) continue;
    splitLines(text).forEach((line, i) => {
      if (line.length > 2000) return;
      for (const re of LISTEN) {
        const port = toPort(re.exec(line)?.[1]);
        if (port) {
          out.push(found({ kind: "port", value: { port } }, `${path}:${i + 1}`));
          return;
        }
      }
    });
  }
  return out;
}
