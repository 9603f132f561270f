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

/** Health endpoints the code declares, each path once. */
export function healthRouteFacts(repo: RepoView, files: string[] = sourceFiles(repo)): Found[] {
  const out: Found[] = [];
  const seen = new Set<string>();
  const all = [...files, ...repo.files.filter((f) => /(?:^|\/)config\/routes\.rb$/.test(f) && !files.includes(f))];
  for (const path of all) {
    const text = repo.read(path) ?? "";
    if (!HEALTH.test(text) && !DJANGO.test(text)) continue;
    splitLines(text).forEach((line, i) => {
      if (line.length > 2000) return;
      const django = DJANGO.exec(line);
      const m = django ? `/${django[1] as string}` : ROUTE.test(line) ? HEALTH.exec(line)?.[1] : undefined;
      if (!m || seen.has(m)) return;
      seen.add(m);
      out.push(found({ kind: "health", value: { path: m } }, `${path}:${i + 1}`));
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
