import type { DockerfileFact, Found, RepoView } from "../facts.js";
import { basename, dirname, found, healthPath, splitLines, strings, toPort, words } from "./util.js";

const NOT_DOCKERFILE = /\.(?:dockerignore|md|txt|json|ya?ml|sh|bak|orig|swp)$/i;

export function isDockerfile(path: string): boolean {
  const name = basename(path);
  if (NOT_DOCKERFILE.test(name)) return false;
  return /^(?:docker|container)file(?:\..+)?$/i.test(name) || /\.(?:docker|container)file$/i.test(name);
}

const MAX_STAGES = 100;

interface Instruction {
  op: string;
  rest: string;
}

interface Stage {
  name: string | undefined;
  from: string;
  body: Instruction[];
}

/** Instructions grouped by stage, continuation lines joined; a stage built FROM an earlier one inherits its body. */
function stages(text: string): { global: Instruction[]; stages: Stage[] } {
  const global: Instruction[] = [];
  const out: Stage[] = [];
  const named = new Map<string, Stage>();
  let pending = "";
  for (const raw of splitLines(text)) {
    const line = raw.trim();
    if (!pending && (line === "" || line.startsWith("#"))) continue;
    if (line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      pending += line.slice(0, -1) + " ";
      continue;
    }
    const full = (pending + line).trim();
    pending = "";
    const m = /^([A-Za-z]+)\s*(.*)$/.exec(full);
    if (!m) continue;
    const op = (m[1] as string).toUpperCase();
    const rest = (m[2] as string).trim();
    if (op === "FROM") {
      const w = words(rest).filter((x) => !x.startsWith("--"));
      const from = w[0] ?? "";
      const name = w[1]?.toUpperCase() === "AS" ? w[2] : undefined;
      const parent = named.get(from.toLowerCase());
      const stage: Stage = { name, from, body: parent ? [...parent.body] : [] };
      out.push(stage);
      if (name) named.set(name.toLowerCase(), stage);
      // No real Dockerfile has this many stages; stop before copying bodies gets expensive.
      if (out.length > MAX_STAGES) return { global, stages: [] };
    } else (out[out.length - 1]?.body ?? global).push({ op, rest });
  }
  return { global, stages: out };
}

/** KEY=VALUE pairs of ENV/ARG, or ENV's legacy `KEY value` form. */
function assignments(op: string, rest: string): [string, string | undefined][] {
  const w = words(rest);
  const first = w[0];
  if (first === undefined) return [];
  if (op === "ENV" && !first.includes("=")) return [[first, w.slice(1).join(" ")]];
  return w.map((x) => {
    const eq = x.indexOf("=");
    return eq < 0 ? [x, undefined] : [x.slice(0, eq), x.slice(eq + 1)];
  });
}

function expand(value: string, vars: Map<string, string>): string {
  return value.replace(/\$\{([A-Za-z_]\w{0,100})(?::?[-+]([^}]{0,200}))?\}|\$([A-Za-z_]\w{0,100})/g, (_m, a?: string, dflt?: string, b?: string) => {
    const key = (a ?? b) as string;
    return vars.get(key) ?? dflt ?? "";
  });
}

function execForm(rest: string): string[] | undefined {
  if (!rest.startsWith("[")) return undefined;
  try {
    return strings(JSON.parse(rest));
  } catch {
    return undefined;
  }
}

/** What a stage runs: its port (first EXPOSE, else ENV PORT), HEALTHCHECK path and exec-form command. */
function stageInfo(global: Instruction[], stage: Stage): { port?: number; health?: string; command?: string[] } {
  const info: { port?: number; health?: string; command?: string[] } = {};
  const vars = new Map<string, string>();
  for (const ins of [...global, ...stage.body]) {
    if (ins.op !== "ARG" && ins.op !== "ENV") continue;
    for (const [k, v] of assignments(ins.op, ins.rest)) if (v !== undefined) vars.set(k, expand(v, vars));
  }
  const expose = stage.body.find((i) => i.op === "EXPOSE");
  const exposed = expose ? toPort(/^\d+/.exec(expand(expose.rest, vars).trim())?.[0]) : undefined;
  const port = exposed ?? toPort(vars.get("PORT"));
  if (port) info.port = port;

  const check = stage.body.filter((i) => i.op === "HEALTHCHECK").pop();
  const health = check ? healthPath(expand(check.rest, vars)) : undefined;
  if (health) info.health = health;

  const ep = stage.body.filter((i) => i.op === "ENTRYPOINT").pop();
  const cmd = stage.body.filter((i) => i.op === "CMD").pop();
  const epWords = ep ? execForm(ep.rest) : [];
  const cmdWords = cmd ? execForm(cmd.rest) : [];
  // A shell-form half makes the running command a shell's business: report none rather than a wrong one.
  if (epWords && cmdWords && epWords.length + cmdWords.length > 0) info.command = [...epWords, ...cmdWords];
  return info;
}

export function readDockerfile(path: string, text: string, context: string): DockerfileFact | undefined {
  const { global, stages: all } = stages(text);
  const last = all[all.length - 1];
  if (!last) return undefined;
  const fact: DockerfileFact = { dockerfile: path, context };
  if (all.length > 1 && last.name) fact.target = last.name;
  Object.assign(fact, stageInfo(global, last));
  // A compose build.target may build an earlier stage: what each named one would run.
  const earlier = all.slice(0, -1).filter((st) => st.name !== undefined);
  if (earlier.length > 0) fact.stages = Object.fromEntries(earlier.map((st) => [st.name as string, stageInfo(global, st)]));
  return fact;
}

/** Every Dockerfile; `contexts` maps a Dockerfile path to the build context a compose file gives it. */
export function dockerfileFacts(repo: RepoView, contexts: ReadonlyMap<string, string> = new Map()): Found[] {
  const out: Found[] = [];
  for (const path of repo.files.filter(isDockerfile)) {
    const text = repo.read(path);
    if (text === undefined) continue;
    const fact = readDockerfile(path, text, contexts.get(path) ?? dirname(path));
    if (fact) out.push(found({ kind: "dockerfile", value: fact }, path));
  }
  return out;
}
