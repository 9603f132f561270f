import { posix } from "node:path";
import { looksLikeSecret } from "../config/schema/app.js";
import { toDnsLabel } from "./detect.js";
import type { DockerfileFact, FactOf, Found, ProcessFact, ServiceKind } from "./facts.js";
import { generatable, impliedService, PLATFORM_NAMES, selfValue, serviceEnv } from "./variables.js";

// From facts to the devstack.yaml a careful engineer would write. Every value
// that rests on a convention rather than on the repository is listed as a
// guess, so the written file says which lines to check.

export interface Guess {
  /** Dotted key path in devstack.yaml, e.g. components.web.port. */
  path: string;
  value: unknown;
  why: string;
}

export interface InferOptions {
  /** Wins over the name fact. */
  name?: string;
  /** Used when no fact names the app. */
  fallbackName?: string;
  port?: number;
  /** Root-relative; override the primary component's build. */
  dockerfile?: string;
  context?: string;
  /** The database's name as the repository's own config names it. */
  databaseName?: string;
}

export interface Inferred {
  app: Record<string, unknown>;
  guesses: Guess[];
  problems: string[];
}

type Component = Record<string, unknown>;


const of = <K extends Found["kind"]>(facts: Found[], kind: K) => facts.filter((f): f is Found & FactOf<K> => f.kind === kind);

const dirOf = (path: string) => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".");

/** A Dockerfile for development or tests is not what production runs. */
const auxiliary = (d: DockerfileFact) => /(^|[./-])(dev|develop|development|test|tests|ci|local|debug)([./-]|$)/i.test(d.dockerfile.split("/").pop() ?? "") || /(^|\/)(test|tests|e2e|\.devcontainer|docs?)(\/|$)/.test(d.context);

/** The image a process runs: its own Dockerfile fact (a production one beside a development one it names), the one whose context is the process's directory, or the primary. */
function declaredImage(p: ProcessFact, dockerfiles: DockerfileFact[], primary: DockerfileFact | undefined): DockerfileFact | undefined {
  if (p.dockerfile) {
    const own = dockerfiles.find((d) => d.dockerfile === p.dockerfile && (p.context === undefined || d.context === p.context)) ?? { dockerfile: p.dockerfile, context: p.context ?? dirOf(p.dockerfile) };
    const plain = auxiliary(own) ? dockerfiles.find((d) => d.context === own.context && !auxiliary(d)) : undefined;
    return plain ?? own;
  }
  if (p.context) {
    const here = dockerfiles.filter((d) => d.context === p.context);
    return here.find((d) => !auxiliary(d)) ?? here[0] ?? { dockerfile: p.context === "." ? "Dockerfile" : `${p.context}/Dockerfile`, context: p.context };
  }
  return primary;
}

/** The image, built at the stage compose names (build.target) when that is not the last one; one object per Dockerfile and stage. */
function imageFor(p: ProcessFact, dockerfiles: DockerfileFact[], primary: DockerfileFact | undefined, variants: Map<string, DockerfileFact>): DockerfileFact | undefined {
  const base = declaredImage(p, dockerfiles, primary);
  // The last stage, or one the Dockerfile does not name (docker would say so), is the image as read.
  if (!base || !p.target || p.target === base.target || !base.stages?.[p.target]) return base;
  // A development target (target: dev) yields to a last stage built for production; a development last stage (dev-envs) yields to the target.
  const devStage = (name: string | undefined) => name !== undefined && /(?:^|[._-])(?:dev|develop|development|debug|test|tests|local|envs?)(?:$|[._-])/i.test(name);
  if (devStage(p.target) && !devStage(base.target)) return base;
  const key = `${base.dockerfile}\n${base.context}\n${p.target}`;
  let variant = variants.get(key);
  if (!variant) {
    const { stages: _stages, port: _port, health: _health, command: _command, ...rest } = base;
    variant = { ...rest, target: p.target, ...(base.stages?.[p.target] ?? {}) };
    variants.set(key, variant);
  }
  return variant;
}

/**
 * Where a component other than the root one is served: under the one prefix
 * its routes share (a mounted router's first), on a subdomain of its own when
 * it serves pages at / (a prefix would break its links), else under its name.
 */
export function secondaryRoute(name: string, routes: { prefix: string; mount?: true }[]): { route: { path: string } | { subdomain: string }; why?: string } {
  const mounts = [...new Set(routes.filter((r) => r.mount).map((r) => r.prefix))];
  const plain = [...new Set(routes.filter((r) => !r.mount).map((r) => r.prefix))];
  if (mounts.length === 1 && !plain.includes("/")) return { route: { path: mounts[0] as string } };
  if (plain.includes("/")) return { route: { subdomain: toDnsLabel(name) }, why: "it serves pages at /, which a path prefix would break; its own subdomain keeps them working" };
  if (mounts.length === 0 && plain.length === 1) return { route: { path: plain[0] as string } };
  return { route: { path: `/${name}` }, why: "only one component can have /; check the prefix this one serves" };
}

interface Declared {
  p: ProcessFact;
  confirmed: boolean;
  source: string;
}

/**
 * One process per name; compose, Procfile and app.json often declare the
 * same one. A worker only a dependency suggests (sidekiq in the Gemfile)
 * yields to a declared one running the same tool, and is otherwise named worker.
 */
function mergedProcesses(facts: Found[]): Declared[] {
  const byName = new Map<string, Declared>();
  const all = of(facts, "process").sort((a, b) => Number(b.confirmed) - Number(a.confirmed));
  for (const f of all) {
    let name = toDnsLabel(f.value.name);
    if (!f.confirmed && f.value.role === "worker") {
      const tool = f.value.command?.find((w) => !["bundle", "exec", "python", "-m", "poetry", "run", "uv"].includes(w));
      const declared = [...byName.values()].some(({ p }) => p.role === "worker" && (tool === undefined || p.command?.some((w) => w.includes(tool))));
      if (declared) continue;
      if (!byName.has("worker")) name = "worker";
    }
    const seen = byName.get(name);
    if (!seen) byName.set(name, { p: { ...f.value, name }, confirmed: f.confirmed, source: f.source });
    else {
      const merged = { ...f.value, ...seen.p, env: [...(seen.p.env ?? []), ...(f.value.env ?? [])] };
      // A production file's command stands; the development one beside it does not make it a development command.
      if (seen.p.command && !seen.p.devCommand) delete merged.devCommand;
      seen.p = merged;
    }
  }
  return [...byName.values()];
}

/** Whether a fact read at `source` lies in a component's build context. */
const under = (source: string, context: string) => context !== "." && source.startsWith(`${context}/`);

const WEB_NAMES = ["web", "frontend", "app", "www", "site", "client", "ui"];

const sameWords = (a: string[] | undefined, b: string[] | undefined) => a !== undefined && b !== undefined && a.join(" ") === b.join(" ");

function buildOf(d: DockerfileFact): Record<string, unknown> {
  const build: Record<string, unknown> = { context: d.context };
  // build.dockerfile is relative to the context, as docker build -f is not.
  build.dockerfile = posix.relative(d.context, d.dockerfile);
  if (d.target) build.target = d.target;
  return build;
}

export function infer(facts: Found[], options: InferOptions = {}): Inferred {
  const guesses: Guess[] = [];
  const problems: string[] = [];
  const guess = (path: string, value: unknown, why: string) => guesses.push({ path, value, why });

  const nameFact = of(facts, "name")[0];
  const name = options.name ?? (nameFact ? toDnsLabel(nameFact.value) : toDnsLabel(options.fallbackName ?? "app"));
  if (!options.name && (!nameFact || !nameFact.confirmed)) guess("name", name, nameFact ? `from ${nameFact.source}` : "from the directory name");
  const app: Record<string, unknown> = { name };

  // Docker resolves a build's Dockerfile against the context: the context is what must be right.
  let dockerfiles = of(facts, "dockerfile").map((f) => f.value);
  // The primary builds first: the migration and jobs run its image. A root Dockerfile, else the first declared web process's.
  const firstWeb = of(facts, "process").find((f) => f.value.role === "web" && (f.value.dockerfile || f.value.context))?.value;
  let primary =
    dockerfiles.find((d) => d.dockerfile === "Dockerfile" || d.dockerfile === "Containerfile") ??
    dockerfiles.find((d) => firstWeb && (d.dockerfile === firstWeb.dockerfile || (!firstWeb.dockerfile && d.context === firstWeb.context))) ??
    dockerfiles[0];
  if (options.dockerfile || options.context) {
    const found = options.dockerfile ? dockerfiles.find((d) => d.dockerfile === options.dockerfile) : dockerfiles.find((d) => d.context === options.context);
    const path = options.dockerfile ?? found?.dockerfile ?? (options.context === "." ? "Dockerfile" : `${options.context}/Dockerfile`);
    const chosen: DockerfileFact = { ...(found ?? { dockerfile: path }), context: options.context ?? found?.context ?? "." };
    dockerfiles = [chosen, ...dockerfiles.filter((d) => d !== found)];
    primary = chosen;
  }

  const processes = mergedProcesses(facts);
  const variants = new Map<string, DockerfileFact>();
  const imageOf = (p: ProcessFact) => imageFor(p, dockerfiles, primary, variants);
  // The stage compose builds of the primary Dockerfile is the primary image.
  if (primary && !options.dockerfile && !options.context) {
    const built = processes.map(({ p }) => imageOf(p)).find((d) => d !== undefined && d !== primary && d.dockerfile === primary?.dockerfile && d.context === primary.context);
    if (built) primary = built;
  }
  // A compose service without ports that runs its image's own server is a web component, not a worker: the Dockerfile or the code names its port.
  for (const d of processes) {
    const { p } = d;
    if (p.role !== "worker" || !d.confirmed) continue;
    const image = imageOf(p);
    if (!image || (p.command && !sameWords(p.command, image.command))) continue;
    const listens = of(facts, "port").find((f) => f.confirmed && under(f.source, image.context));
    const port = image.port ?? listens?.value.port;
    if (port !== undefined) d.p = { ...p, role: "web", port };
  }
  const longRunning = processes.filter(({ p }) => p.role === "web" || p.role === "worker");
  if (!primary) {
    const web = longRunning.find(({ p }) => p.role === "web")?.p;
    problems.push(
      web?.command
        ? `no Dockerfile found: add one whose CMD runs the ${web.name} process (${web.command.join(" ")})${web.port ? ` listening on port ${web.port}` : ""}, or name one with --dockerfile <path>`
        : "no Dockerfile found: add a Dockerfile, or name one with --dockerfile <path>",
    );
  }
  if (!longRunning.some(({ p }) => p.role === "web")) {
    // No declared processes: each production Dockerfile is a component, named by its directory.
    // A declared process already running the primary image's own command is that image's component, not a second one beside it.
    const runsPrimary = longRunning.some(({ p }) => !p.command && imageOf(p) === primary);
    const images = longRunning.length === 0 ? dockerfiles.filter((d) => d === primary || !auxiliary(d)) : primary && !runsPrimary ? [primary] : [];
    const named = images.map((d) => ({ d, name: images.length === 1 || d.context === "." ? "web" : toDnsLabel(d.context.split("/").pop() ?? "web") }));
    for (const { d, name } of named.filter((n, i) => named.findIndex((m) => m.name === n.name) === i)) {
      const serves = d.port !== undefined || d === primary || of(facts, "port").some((f) => under(f.source, d.context));
      longRunning.push({ p: { name, role: serves ? "web" : "worker", dockerfile: d.dockerfile, context: d.context }, confirmed: true, source: d.dockerfile });
    }
  }
  if (longRunning.length === 0) longRunning.push({ p: { name: "web", role: "web" }, confirmed: true, source: "" });

  // Routed at /: the web process whose name says so, else the first one.
  const webs = longRunning.filter(({ p }) => p.role === "web");
  const root = webs.find(({ p }) => WEB_NAMES.includes(p.name))?.p ?? webs[0]?.p;

  const healthFacts = of(facts, "health");
  const portFacts = of(facts, "port");
  const components: Record<string, Component> = {};
  const builders = new Map<DockerfileFact, string>();
  const ordered = [...longRunning].sort((a, b) => Number(imageOf(b.p) === primary) - Number(imageOf(a.p) === primary) || Number(b.p.role === "web") - Number(a.p.role === "web"));
  for (const { p, confirmed, source } of ordered) {
    const at = `components.${p.name}`;
    const image = imageOf(p);
    const c: Component = {};
    const builder = image ? builders.get(image) : undefined;
    // Two declarations (compose's web, render.yaml's service) of one image run without a command of their own are one component.
    if (builder && !p.command && p.role === "web" && components[builder] && (components[builder] as Component).port !== undefined && !(components[builder] as Component).command) continue;
    if (builder) {
      c.image = builder;
      if (p.command) c.command = p.command;
      else problems.push(`${p.name} runs the image of ${builder} but no command says what it runs`);
    } else if (image) {
      builders.set(image, p.name);
      c.build = buildOf(image);
      // Without a CMD in exec form the Dockerfile cannot be checked: the declared command is kept.
      if (p.command && !sameWords(p.command, image.command) && (image.command === undefined || p.role !== "web")) c.command = p.command;
    } else {
      c.build = { context: "." };
    }
    if (p.devCommand) {
      const dev = p.devCommand.join(" ");
      if (c.command) guess(`${at}.command`, c.command, `compose runs \`${dev}\` for development; the reloader and wait loop are left out`);
      else if (!image?.command) problems.push(`compose runs ${p.name} with a development command (${dev}) and its Dockerfile states no CMD in exec form: set components.${p.name}.command to the production one`);
    }
    if (p.role === "web") {
      const mine = <F extends { source: string; value: { component?: string } }>(list: F[]) => {
        const own = list.filter((f) => f.value.component === p.name || (f.value.component === undefined && image && under(f.source, image.context)));
        if (own.length > 0 || p !== root) return own;
        return list.filter((f) => f.value.component === undefined && !dockerfiles.some((d) => under(f.source, d.context)));
      };
      const ports = mine(portFacts);
      const portFact = ports.find((f) => f.confirmed);
      const convention = ports.find((f) => !f.confirmed);
      const port = (p === root ? options.port : undefined) ?? p.port ?? portFact?.value.port ?? image?.port ?? convention?.value.port;
      if (port === undefined) {
        c.port = 8080;
        guess(`${at}.port`, 8080, "nothing in the repository names the port");
      } else {
        c.port = port;
        if (port === convention?.value.port && p.port === undefined && portFact === undefined && image?.port === undefined && options.port === undefined) guess(`${at}.port`, port, `the usual port (${convention.source})`);
      }
      if (p === root) c.routes = [{ path: "/" }];
      else {
        const route = secondaryRoute(p.name, mine(of(facts, "route")).map((f) => f.value));
        c.routes = [route.route];
        if (route.why) guess(`${at}.routes`, c.routes, route.why);
      }
      const paths = [p.health, image?.health, ...mine(healthFacts).map((f) => f.value.path)].filter((h): h is string => h !== undefined);
      // A separate readiness path checks dependencies; restarting on it would restart on a database blip.
      const ready = paths.find((h) => /ready/i.test(h)) ?? paths[0];
      const alive = paths.find((h) => /health|live|alive|ping|\/up$/i.test(h) && !/ready/i.test(h)) ?? ready;
      const healthFact = mine(healthFacts).find((f) => f.value.path === ready) ?? healthFacts.find((f) => f.value.path === ready);
      if (ready) {
        c.readiness = { http: ready };
        // One path for both: if it checks the database, a database blip would restart every pod, so it only gates traffic.
        if (alive !== ready || healthFact?.value.checks !== true) c.liveness = { http: alive };
        // Rails' /up and *live* paths are made not to check dependencies; a handler read from the code says for itself.
        if (alive === ready && healthFact?.value.checks === undefined && !/live|\/up$/i.test(alive) && of(facts, "service").some((f) => f.value.service === "database" || f.value.service === "redis")) {
          guess(`${at}.liveness`, c.liveness, "the readiness path; if it checks the database or Redis, drop liveness or point it at a path that does not");
        }
        if (healthFact && !healthFact.confirmed && !p.health && image?.health !== ready) guess(`${at}.readiness`, c.readiness, `the framework's usual health path (${healthFact.source})`);
      } else {
        c.readiness = { tcp: true };
        guess(`${at}.readiness`, c.readiness, "no health endpoint found: ready once the port accepts connections");
      }
    }
    components[p.name] = c;
    if (!confirmed) guess(at, c, `no process declares it; ${source} suggests it`);
  }
  app.components = components;
  const mainName = Object.keys(components)[0] as string;

  for (const f of of(facts, "warning")) problems.push(`${f.value.message} (${f.source})`);
  for (const f of of(facts, "env").filter((e) => e.value.file && e.value.from === "code")) {
    problems.push(`the code reads ${f.value.name} as the path of a file (${f.source}): it is left unset; mount the file and set ${f.value.name} to its path`);
  }
  const stores = new Map<string, FactOf<"unsupported"> & Found>();
  for (const f of of(facts, "unsupported")) if (!stores.has(f.value.store)) stores.set(f.value.store, f);
  for (const [store, f] of stores) {
    const offers = store === "RabbitMQ" ? "Redis as its broker" : "Postgres";
    problems.push(`devstack provides ${offers}; this app uses ${store} (${f.value.by}, ${f.source}): run ${store} outside devstack and pass its connection settings as secrets, or move the app to ${offers.split(" ")[0] as string}`);
  }

  const services = inferServices(facts, options.databaseName ?? name.replace(/-/g, "_"), processes, guess);
  const derived = new Set<string>();
  for (const [service, spec] of Object.entries(services)) {
    const env = (spec as { env?: Record<string, string> }).env;
    for (const v of Object.keys(env ?? defaultsOf(service as ServiceKind))) derived.add(v);
  }
  if (services.storage) for (const v of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) derived.add(v);

  const { env, secrets } = variables(facts, processes, derived);
  if (Object.keys(env).length > 0) app.env = env;
  if (Object.keys(secrets).length > 0) app.secrets = secrets;
  for (const [service, spec] of Object.entries(services)) app[service] = spec;

  const migrate = of(facts, "migrate")[0];
  const release = processes.find(({ p }) => p.role === "release" && p.command);
  if (migrate) {
    app.migrate = { command: migrate.value.command };
    if (!migrate.confirmed) guess("migrate", app.migrate, `the framework's usual migration (${migrate.source})`);
  } else if (release?.p.command) {
    app.migrate = { command: release.p.command };
  }

  const jobs: Record<string, unknown> = {};
  for (const { p, confirmed } of processes.filter(({ p }) => p.role === "scheduled")) {
    if (!p.command || !p.schedule) continue;
    const image = imageOf(p);
    const owner = image ? builders.get(image) : undefined;
    jobs[p.name] = { schedule: p.schedule, command: p.command, ...(owner && owner !== mainName ? { component: owner } : {}) };
    if (!confirmed) guess(`jobs.${p.name}`, jobs[p.name], "a scheduled process; check its schedule");
  }
  if (Object.keys(jobs).length > 0) app.jobs = jobs;
  return { app, guesses, problems };
}

function defaultsOf(service: ServiceKind): Record<string, string> {
  return { database: { DATABASE_URL: "" }, redis: { REDIS_URL: "" }, storage: { S3_BUCKET: "", AWS_REGION: "", AWS_ENDPOINT_URL_S3: "", S3_FORCE_PATH_STYLE: "" }, mail: { SMTP_URL: "", MAIL_FROM: "" } }[service];
}

/** Names the code reads as the path of a file to open: their value is a path, never a secret or a service's part. */
const fileNames = (facts: Found[]) => new Set(of(facts, "env").filter((f) => f.value.file).map((f) => f.value.name));

/**
 * Names the app's code or its declarations read. A deploy manifest's
 * (render.yaml) keys count only when the code reads them, once any code
 * reading could be found.
 */
function namesRead(facts: Found[], processes: { p: ProcessFact; source?: string }[], forServices = false): string[] {
  const env = of(facts, "env");
  const code = new Set(env.filter((f) => f.value.from === "code").map((f) => f.value.name));
  const files = fileNames(facts);
  const read = (name: string) => !forServices || code.size === 0 || code.has(name);
  const listed = env.filter((f) => f.value.from !== "manifest" || read(f.value.name)).map((f) => f.value.name);
  const declared = processes.flatMap(({ p, source }) => (p.env ?? []).filter((n) => !/(?:^|\/)render\.ya?ml\b/.test(source ?? "") || read(n)));
  return [...new Set([...listed, ...declared])].filter((n) => !files.has(n));
}

function inferServices(facts: Found[], databaseName: string, processes: { p: ProcessFact }[], guess: (path: string, value: unknown, why: string) => void): Partial<Record<ServiceKind, Record<string, unknown>>> {
  const names = namesRead(facts, processes, true);
  const kinds = new Map<ServiceKind, { confirmed: boolean; source: string }>();
  const unsupported = new Set(of(facts, "unsupported").map((f) => f.value.store));
  const otherSql = unsupported.has("MySQL") || unsupported.has("MongoDB");
  for (const f of of(facts, "service")) {
    // An ORM (knex, sequelize, SQLAlchemy) beside a MySQL driver says nothing about Postgres.
    if (f.value.service === "database" && otherSql && !/pg|postg|psycopg|pq$|timescale|neon|slonik|prisma/i.test(f.value.by)) continue;
    const seen = kinds.get(f.value.service);
    if (!seen || (!seen.confirmed && f.confirmed)) kinds.set(f.value.service, { confirmed: f.confirmed, source: f.source });
  }
  for (const name of names) {
    const implied = impliedService(name);
    // A variable of a datastore devstack does not provide says nothing about Postgres or Redis.
    if (implied === "database" && otherSql) continue;
    if (implied === "redis" && unsupported.has("RabbitMQ") && /BROKER/.test(name)) continue;
    if (implied && !kinds.has(implied)) kinds.set(implied, { confirmed: false, source: `the code reads ${name}` });
  }
  const out: Partial<Record<ServiceKind, Record<string, unknown>>> = {};
  for (const service of ["database", "redis", "storage", "mail"] as const) {
    const seen = kinds.get(service);
    if (!seen) continue;
    const spec: Record<string, unknown> = service === "database" ? { name: databaseName } : {};
    const env = serviceEnv(service, names, service === "database" ? databaseScheme(facts) : undefined);
    if (env) spec.env = env;
    out[service] = spec;
    if (!seen.confirmed) guess(service, spec, `${seen.source} suggests it`);
  }
  return out;
}

function variables(facts: Found[], processes: { p: ProcessFact }[], derived: Set<string>) {
  const env: Record<string, string> = {};
  const secrets: Record<string, unknown> = {};
  const code = new Set([...of(facts, "env").filter((f) => f.value.from === "code").map((f) => f.value.name), ...processes.flatMap(({ p }) => p.env ?? [])]);
  for (const name of namesRead(facts, processes).sort()) {
    if (derived.has(name) || PLATFORM_NAMES.has(name)) continue;
    if (generatable(name)) {
      secrets[name] = { generate: recipe(name) };
    } else if (looksLikeSecret(name)) {
      secrets[name] = { external: true };
    } else if (code.has(name)) {
      // An example file's value is for a laptop, and code mostly defaults what it does not require: only values devstack knows are set.
      const self = selfValue(name);
      if (self) env[name] = self;
    }
  }
  return { env, secrets };
}

/** SQLAlchemy picks its driver by the URL's scheme: psycopg 3 needs postgresql+psycopg. */
function databaseScheme(facts: Found[]): string | undefined {
  const signs = facts.flatMap((f) => (f.kind === "service" ? [f.value.by] : f.kind === "framework" ? [f.value.name] : [])).map((s) => s.toLowerCase());
  if (!signs.some((s) => s.includes("sqlalchemy") || s.includes("sqlmodel") || s.includes("alembic"))) return undefined;
  if (signs.some((s) => /^psycopg(\[.*\])?$|psycopg3|^psycopg[^2]/.test(s))) return "postgresql+psycopg";
  // asyncpg serves SQLAlchemy only through create_async_engine; `databases` and sync engines take a plain URL.
  if (signs.some((s) => s.includes("asyncpg")) && signs.includes("sqlalchemy-async")) return "postgresql+asyncpg";
  return undefined;
}

/** What each framework's own generator makes: Rails 128 hex digits, Django 50 characters. */
function recipe(name: string): Record<string, unknown> {
  if (name === "SECRET_KEY_BASE") return { type: "hex", bytes: 64 };
  if (name === "DJANGO_SECRET_KEY" || name === "SECRET_KEY") return { type: "random", length: 50 };
  return { type: "random", length: 48 };
}
