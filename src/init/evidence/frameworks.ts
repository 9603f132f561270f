import { parse as parseYaml } from "yaml";
import type { Fact, Found, RepoView } from "../facts.js";
import { sourceFiles } from "./env.js";
import { manifests, nearby, type Manifest } from "./packages.js";
import { healthRouteFacts, listenPortFacts, routeFacts } from "./routes.js";
import { basename, dirname, found, plausibleYaml, isRecord, lineMatching, source, toPort, within, words } from "./util.js";

interface Ctx {
  repo: RepoView;
  m: Manifest;
  out: Found[];
  /** Where the manifest declares a dependency, or the manifest itself. */
  at(dep: string): string;
  has(dep: string): boolean;
  /** Files under the manifest's directory. */
  under(test: (path: string) => boolean): string[];
}

const guess = (c: Ctx, fact: Fact, at: string): void => void c.out.push(found(fact, at, false));
const seen = (c: Ctx, fact: Fact, at: string): void => void c.out.push(found(fact, at, true));

function packageManager(repo: RepoView, dir: string): string {
  const has = (n: string[]): boolean => nearby(repo, dir, n) !== undefined;
  return has(["pnpm-lock.yaml"]) ? "pnpm" : has(["yarn.lock"]) ? "yarn" : has(["bun.lockb", "bun.lock"]) ? "bun" : "npm";
}

function rails(c: Ctx): void {
  const routes = within(c.m.dir, "config/routes.rb");
  const text = c.repo.read(routes);
  const up = text === undefined ? undefined : lineMatching(text, (l) => /^\s*get\s*\(?\s*["']\/?up["']/.test(l));
  if (up) seen(c, { kind: "health", value: { path: "/up" } }, `${routes}:${up}`);
  else guess(c, { kind: "health", value: { path: "/up" } }, c.at("rails"));
  guess(c, { kind: "port", value: { port: 3000 } }, c.at("rails"));
  const migrations = c.under((p) => p.includes("db/migrate/"));
  const migrate: Fact = { kind: "migrate", value: { command: ["bin/rails", "db:migrate"] } };
  if (migrations.length > 0) seen(c, migrate, within(c.m.dir, "db/migrate"));
  else guess(c, migrate, c.at("rails"));
  if (c.has("sidekiq")) {
    const config = within(c.m.dir, "config/sidekiq.yml");
    const command = ["bundle", "exec", "sidekiq", ...(c.repo.files.includes(config) ? ["-C", "config/sidekiq.yml"] : [])];
    guess(c, { kind: "process", value: { name: "sidekiq", role: "worker", command } }, c.at("sidekiq"));
  }
}

/** The Django project package: where celery.py or settings live. */
function djangoProject(c: Ctx): string | undefined {
  const celery = c.under((p) => basename(p) === "celery.py" && /\bCelery\(/.test(c.repo.read(p) ?? ""))[0];
  const settings = celery ?? c.under((p) => basename(p) === "settings.py" || /\/settings\/__init__\.py$/.test(p))[0];
  if (!settings) return undefined;
  const dir = basename(settings) === "__init__.py" ? dirname(dirname(settings)) : dirname(settings);
  return dir === "." ? undefined : basename(dir);
}

function django(c: Ctx): void {
  const manage = c.under((p) => basename(p) === "manage.py")[0];
  const migrate: Fact = { kind: "migrate", value: { command: ["python", "manage.py", "migrate", "--noinput"] } };
  const migrations = c.under((p) => /\/migrations\/0001_[^/]*\.py$/.test(p));
  if (manage && migrations.length > 0) seen(c, migrate, manage);
  else guess(c, migrate, manage ?? c.at("django"));
  guess(c, { kind: "port", value: { port: 8000 } }, c.at("django"));
}

function celery(c: Ctx): void {
  const project = djangoProject(c) ?? "app";
  guess(c, { kind: "process", value: { name: "celery", role: "worker", command: ["celery", "-A", project, "worker"] } }, c.at("celery"));
  if (c.has("django-celery-beat")) {
    guess(c, { kind: "process", value: { name: "celery-beat", role: "worker", command: ["celery", "-A", project, "beat"] } }, c.at("django-celery-beat"));
  }
}

function springPort(c: Ctx): [number, string] | undefined {
  for (const path of c.under((p) => /(?:^|\/)src\/main\/resources\/application\.(?:properties|ya?ml)$/.test(p))) {
    const text = c.repo.read(path) ?? "";
    if (path.endsWith(".properties")) {
      const line = lineMatching(text, (l) => /^\s*server\.port\s*[=:]\s*\d/.test(l));
      const port = line ? toPort(/(\d{1,5})/.exec(text.split(/\r?\n/)[line - 1] ?? "")?.[1]) : undefined;
      if (port) return [port, `${path}:${line}`];
      continue;
    }
    if (!plausibleYaml(text)) continue;
    try {
      const data: unknown = parseYaml(text, { maxAliasCount: 50 });
      const port = isRecord(data) && isRecord(data.server) ? toPort(data.server.port) : undefined;
      if (port) return [port, source(path, lineMatching(text, (l) => /^\s+port\s*:/.test(l)))];
    } catch {
      continue;
    }
  }
  return undefined;
}

function spring(c: Ctx): void {
  const port = springPort(c);
  if (port) seen(c, { kind: "port", value: { port: port[0] } }, port[1]);
  else guess(c, { kind: "port", value: { port: 8080 } }, c.m.file);
  if (c.has("spring-boot-starter-actuator")) guess(c, { kind: "health", value: { path: "/actuator/health" } }, c.at("spring-boot-starter-actuator"));
}

/**
 * How to run a package script in the image: the script's own words when it
 * only starts the runtime (npm as PID 1 adds a process that swallows signals),
 * otherwise through the package manager, which puts node_modules/.bin on PATH.
 */
export function scriptCommand(pm: string, name: string, body: string): string[] {
  const argv = words(body.trim());
  const plain = !/[|&;<>`$]/.test(body) && argv.length > 1 && ["node", "bun", "deno"].includes(argv[0] as string);
  return plain ? argv : [pm, "run", name];
}

function node(c: Ctx): void {
  const pm = packageManager(c.repo, c.m.dir);
  if (c.has("next")) guess(c, { kind: "port", value: { port: 3000 } }, c.at("next"));
  if (c.has("@prisma/client") || c.has("prisma")) {
    const migrations = c.under((p) => /(?:^|\/)prisma\/migrations\/[^/]+\/migration\.sql$/.test(p));
    const fact: Fact = { kind: "migrate", value: { command: ["npx", "prisma", "migrate", "deploy"] } };
    if (migrations.length > 0) seen(c, fact, dirname(dirname(migrations[0] as string)));
    else guess(c, fact, c.at(c.has("prisma") ? "prisma" : "@prisma/client"));
  }
  if (c.m.scripts.migrate) seen(c, { kind: "migrate", value: { command: scriptCommand(pm, "migrate", c.m.scripts.migrate) } }, c.m.file);
  if (c.has("bullmq") || c.has("bull")) {
    const script = ["worker", "start:worker", "worker:start"].find((s) => c.m.scripts[s]);
    const at = c.at(c.has("bullmq") ? "bullmq" : "bull");
    if (script) seen(c, { kind: "process", value: { name: "worker", role: "worker", command: scriptCommand(pm, script, c.m.scripts[script] as string) } }, c.m.file);
    else guess(c, { kind: "process", value: { name: "worker", role: "worker" } }, at);
  }
}

/** Framework conventions for each manifest: guesses unless the repository shows them. */
export function frameworkFacts(repo: RepoView, all: Manifest[] = manifests(repo)): Found[] {
  const out: Found[] = [];
  for (const m of all) {
    const prefix = m.dir === "." ? "" : `${m.dir}/`;
    const c: Ctx = {
      repo,
      m,
      out,
      at: (dep) => m.deps.get(dep) ?? m.file,
      has: (dep) => m.deps.has(dep),
      under: (test) => repo.files.filter((p) => p.startsWith(prefix) && test(p)),
    };
    if (m.language === "ruby" && c.has("rails")) rails(c);
    if (m.language === "python") {
      if (c.has("django")) django(c);
      if (c.has("celery")) celery(c);
      if (c.has("flask")) guess(c, { kind: "port", value: { port: 5000 } }, c.at("flask"));
      if (c.has("fastapi")) guess(c, { kind: "port", value: { port: 8000 } }, c.at("fastapi"));
      // SQLAlchemy's async engine is what makes asyncpg the URL's driver.
      if (c.has("asyncpg") && (c.has("sqlalchemy") || c.has("sqlmodel"))) {
        const engine = c.under((p) => p.endsWith(".py")).find((p) => /\bcreate_async_engine\s*\(/.test(repo.read(p) ?? ""));
        if (engine) seen(c, { kind: "framework", value: { name: "sqlalchemy-async" } }, engine);
      }
      if (c.repo.files.includes(within(m.dir, "alembic.ini"))) seen(c, { kind: "migrate", value: { command: ["alembic", "upgrade", "head"] } }, within(m.dir, "alembic.ini"));
    }
    if (m.language === "java" && (c.has("org.springframework.boot") || [...m.deps.keys()].some((d) => d.startsWith("spring-boot-starter")))) spring(c);
    if (m.language === "php" && c.has("laravel/framework")) {
      const fact: Fact = { kind: "migrate", value: { command: ["php", "artisan", "migrate", "--force"] } };
      if (c.under((p) => p.includes("database/migrations/")).length > 0) seen(c, fact, within(m.dir, "database/migrations"));
      else guess(c, fact, c.at("laravel/framework"));
    }
    if (m.language === "node") node(c);
  }
  const files = sourceFiles(repo);
  return [...out, ...listenPortFacts(repo, files), ...healthRouteFacts(repo, files), ...routeFacts(repo, files)];
}
