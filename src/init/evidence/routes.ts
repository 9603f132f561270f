import type { Found, RepoView } from "../facts.js";
import { sourceFiles } from "./env.js";
import { found, splitLines, toPort } from "./util.js";

const HEALTH = /["'`](\/(?:healthz|health|healthcheck|up|ping|status|livez|readyz|_health|api\/health|api\/healthz|health\/live|health\/ready))["'`]/;
// A bare "/status" string is often a client URL; only a line that declares a route counts.
const ROUTE = /(?:\b(?:get|head|all|route|handle|handlefunc|handler|path|mapget|use|add_url_rule|add_api_route|match)\s*\(|@(?:app|router|api|bp|blueprint|\w+)\.(?:get|route|api_route)\b|@(?:Get|Request)Mapping\b|\b(?:get|match)\s+["']|\bGET\s)/i;

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
    if (!HEALTH.test(text)) continue;
    splitLines(text).forEach((line, i) => {
      if (line.length > 2000) return;
      const m = HEALTH.exec(line);
      if (!m || !ROUTE.test(line) || seen.has(m[1] as string)) return;
      seen.add(m[1] as string);
      out.push(found({ kind: "health", value: { path: m[1] as string } }, `${path}:${i + 1}`));
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
