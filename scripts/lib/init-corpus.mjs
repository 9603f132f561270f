// The init corpus: small apps under test/fixtures/init/<name>/app, each with
// the config a careful engineer would write for it (expected.yaml), or, where
// init must refuse, what the refusal looks like (expected.json). Running the
// corpus copies each app to a temporary directory named like the fixture (the
// directory name is evidence init may use), runs `devstack init --json` there,
// counts the fields where the written devstack.yaml differs from the expected
// one, and checks the written config renders and passes `diff local prod
// --strict`. Shared by scripts/bench-init.mjs and
// test/integration/init-corpus.test.ts.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const CORPUS_DIR = join(ROOT, "test", "fixtures", "init");
const BIN = join(ROOT, "bin", "devstack.js");

/** The fixtures' names, sorted: every directory of the corpus with an app/. */
export function fixtureNames() {
  return readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(CORPUS_DIR, e.name, "app")))
    .map((e) => e.name)
    .sort();
}

function run(args, cwd, env, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d.toString()));
    child.stderr.on("data", (d) => (stderr += d.toString()));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
}

/** The last JSON line of a `--json` run (its result or its error), or undefined. */
export function lastJson(stdout) {
  const lines = stdout.split("\n").filter((l) => l.trim().startsWith("{"));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      return JSON.parse(lines[i]);
    } catch {
      // A line that only looks like JSON: keep looking upwards.
    }
  }
  return undefined;
}

let appSchemaPromise;
/** The app schema of the built CLI: it fills defaults and turns `service:` into components.web, so style is not counted. */
async function appSchema() {
  appSchemaPromise ??= import(join(ROOT, "dist", "config", "schema", "index.js")).then((m) => m.appSchema);
  return appSchemaPromise;
}

/**
 * An app config as devstack reads it, for comparison: defaults filled, the
 * shorthand as the component it stands for, the top-level build: and service:
 * dropped (components carry them). A config the schema rejects is compared as
 * written, and says so.
 */
export async function normalizeApp(raw) {
  const schema = await appSchema();
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) return { value: raw ?? {}, valid: false, problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
  const value = structuredClone(parsed.data);
  delete value.build;
  delete value.service;
  return { value, valid: true, problems: [] };
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isEmpty = (v) => v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
const scalarList = (v) => Array.isArray(v) && v.every((x) => !isObject(x) && !Array.isArray(x));

/**
 * Every field where `actual` differs from `expected`, as dotted paths (list
 * items by index). A subtree present on one side only is one difference at its
 * root (a missing component, an extra secret); a list of scalars such as a
 * command is one field, and so is a one-key object of the wrong shape (a tcp
 * probe where an http one belongs); empty maps and lists count as absent.
 */
export function differences(actual, expected, path = []) {
  const at = path.join(".");
  if (isEmpty(actual) && isEmpty(expected)) return [];
  if (isEmpty(actual)) return [{ path: at, kind: "missing", expected, actual: undefined }];
  if (isEmpty(expected)) return [{ path: at, kind: "extra", expected: undefined, actual }];
  if (isObject(actual) && isObject(expected)) {
    // One of several shapes ({http} or {tcp}, {path} or {subdomain}, {url} or {part}): the wrong shape is one field.
    const [ak, ek] = [Object.keys(actual), Object.keys(expected)];
    if (ak.length === 1 && ek.length === 1 && ak[0] !== ek[0]) return [{ path: at, kind: "changed", expected, actual }];
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    return keys.flatMap((k) => differences(actual[k], expected[k], [...path, k]));
  }
  if (Array.isArray(actual) && Array.isArray(expected) && !(scalarList(actual) && scalarList(expected))) {
    return Array.from({ length: Math.max(actual.length, expected.length) }, (_, i) => differences(actual[i], expected[i], [...path, String(i)])).flat();
  }
  return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [{ path: at, kind: "changed", expected, actual }];
}

/** A guess's path as a list of dotted paths in the normalized config (`[0]` → `.0`, the shorthand's keys → components.web). */
function guessPaths(raw) {
  const p = String(raw).replace(/\[(\d+)\]/g, ".$1").replace(/^\./, "");
  if (p === "service.health") return ["components.web.readiness", "components.web.liveness"];
  if (p.startsWith("service.")) return [`components.web.${p.slice("service.".length)}`];
  if (p === "build" || p.startsWith("build.")) return [`components.web.${p}`];
  return [p];
}

/** Whether a guess init reported covers a difference: the same field, one inside it, or one containing it. */
export function flaggedBy(guesses, path) {
  return guesses.some((g) => guessPaths(typeof g === "string" ? g : g?.path).some((p) => p === path || path.startsWith(`${p}.`) || p.startsWith(`${path}.`)));
}

function tail(text, n = 1500) {
  return text.length > n ? `…${text.slice(-n)}` : text;
}

/**
 * Runs one fixture: init, the comparison, render and diff. `env` is the
 * environment the CLI runs in; `keep` leaves the temporary copy for a look.
 */
export async function runFixture(name, { env = process.env, keep = false, timeoutMs = 120_000 } = {}) {
  const fixture = join(CORPUS_DIR, name);
  const parent = mkdtempSync(join(tmpdir(), "devstack-init-corpus-"));
  const dir = join(parent, name);
  mkdirSync(dir);
  cpSync(join(fixture, "app"), dir, { recursive: true });
  const runEnv = { ...env, NO_COLOR: "1", FORCE_COLOR: undefined };
  try {
    const init = await run(["init", "--json"], dir, runEnv, timeoutMs);
    const initJson = lastJson(init.stdout);
    const result = initJson?.type === "result" ? initJson : undefined;
    const guesses = Array.isArray(result?.guesses) ? result.guesses : [];
    const facts = Array.isArray(result?.facts) ? result.facts : undefined;
    const written = existsSync(join(dir, "devstack.yaml"));
    const out = {
      name,
      dir: keep ? dir : undefined,
      init: { code: init.code, error: initJson?.type === "error" ? { message: initJson.message, fix: initJson.fix } : undefined, stderr: tail(init.stderr), stdout: tail(init.stdout) },
      guesses,
      facts: facts?.length,
      written,
      expectsConfig: existsSync(join(fixture, "expected.yaml")),
      valid: undefined,
      problems: [],
      differences: [],
      render: undefined,
      diff: undefined,
    };

    if (out.expectsConfig) {
      const expectedRaw = parse(readFileSync(join(fixture, "expected.yaml"), "utf8"));
      const expected = await normalizeApp(expectedRaw);
      if (!expected.valid) throw new Error(`${name}/expected.yaml is not a valid config: ${expected.problems.join("; ")}`);
      if (written) {
        const actual = await normalizeApp(parse(readFileSync(join(dir, "devstack.yaml"), "utf8")));
        out.valid = actual.valid;
        out.problems = actual.problems;
        out.differences = differences(actual.value, expected.value);
      } else {
        // Nothing written: every field of the expected config is missing; counted per top-level key.
        out.differences = Object.keys(expected.value)
          .filter((k) => !isEmpty(expected.value[k]))
          .map((k) => ({ path: k, kind: "missing", expected: expected.value[k], actual: undefined }));
      }
    } else {
      // A fixture where init must refuse: each unmet part of the refusal is one difference.
      const spec = JSON.parse(readFileSync(join(fixture, "expected.json"), "utf8")).init;
      const text = `${init.stdout}\n${init.stderr}`;
      const fix = out.init.error?.fix ?? "";
      if (spec.exitCode === "nonzero" && init.code === 0) out.differences.push({ path: "init.exitCode", kind: "changed", expected: "nonzero", actual: 0 });
      if (spec.fixMentions && !(fix.includes(spec.fixMentions) || (!out.init.error && init.code !== 0 && text.includes(spec.fixMentions)))) {
        out.differences.push({ path: "init.fix", kind: "missing", expected: `a fix naming ${spec.fixMentions}`, actual: fix || undefined });
      }
      const writtenFiles = ["devstack.yaml", "profiles/local.yaml", "profiles/prod.yaml"].filter((f) => existsSync(join(dir, f)));
      if (writtenFiles.length > (spec.writes ?? []).length) out.differences.push({ path: "init.writes", kind: "extra", expected: spec.writes ?? [], actual: writtenFiles });
    }
    for (const d of out.differences) d.flagged = flaggedBy(guesses, d.path);

    if (written) {
      const render = await run(["render", "--profile", "local"], dir, runEnv, timeoutMs);
      out.render = { code: render.code, output: render.code === 0 ? undefined : tail(`${render.stdout}\n${render.stderr}`) };
      const diff = await run(["diff", "local", "prod", "--strict"], dir, runEnv, timeoutMs);
      out.diff = { code: diff.code, output: diff.code === 0 ? undefined : tail(`${diff.stdout}\n${diff.stderr}`) };
    }
    return out;
  } finally {
    if (!keep) rmSync(parent, { recursive: true, force: true });
  }
}

/**
 * Proves a fixture's expected.yaml is a config devstack takes: written as the
 * app's devstack.yaml with the built-in profiles, `config` (both profiles),
 * `render --profile local` and `diff local prod --strict` must exit 0. The
 * built-in prod profile has no Redis counterpart, so an app with redis: gets
 * the built-in one plus ElastiCache, as init would have to write it.
 */
export async function checkExpected(name, { env = process.env, timeoutMs = 120_000 } = {}) {
  const fixture = join(CORPUS_DIR, name);
  const parent = mkdtempSync(join(tmpdir(), "devstack-init-expected-"));
  const dir = join(parent, name);
  mkdirSync(dir);
  cpSync(join(fixture, "app"), dir, { recursive: true });
  const runEnv = { ...env, NO_COLOR: "1", FORCE_COLOR: undefined };
  try {
    const text = readFileSync(join(fixture, "expected.yaml"), "utf8");
    writeFileSync(join(dir, "devstack.yaml"), text);
    if (parse(text)?.redis !== undefined) {
      mkdirSync(join(dir, "profiles"));
      const prod = readFileSync(join(ROOT, "profiles", "prod.yaml"), "utf8").replace(/^# yaml-language-server.*\n/, "");
      writeFileSync(join(dir, "profiles", "prod.yaml"), `${prod}redis:\n  type: elasticache\n  host: \${app.name}-prod.abc123.euc1.cache.amazonaws.com\n`);
    }
    const steps = {};
    for (const [step, args] of [
      ["config-local", ["config", "--profile", "local"]],
      ["config-prod", ["config", "--profile", "prod"]],
      ["render", ["render", "--profile", "local"]],
      ["diff", ["diff", "local", "prod", "--strict"]],
    ]) {
      const r = await run(args, dir, runEnv, timeoutMs);
      steps[step] = { code: r.code, output: r.code === 0 ? undefined : tail(`${r.stdout}\n${r.stderr}`) };
    }
    return { name, steps };
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

/** The environment corpus runs use: offline (no public chart repository), no keychain, a DEVSTACK_HOME of their own unless one is set. */
export function corpusEnv() {
  const home = process.env.DEVSTACK_HOME ? undefined : mkdtempSync(join(tmpdir(), "devstack-init-corpus-home-"));
  const env = { ...process.env, DEVSTACK_OFFLINE: process.env.DEVSTACK_OFFLINE ?? "1", DEVSTACK_KEYCHAIN: process.env.DEVSTACK_KEYCHAIN ?? "off", ...(home ? { DEVSTACK_HOME: home } : {}) };
  return { env, cleanup: () => home && rmSync(home, { recursive: true, force: true }) };
}

/** Runs `fn` over `items`, `concurrency` at a time, keeping their order. */
export async function pool(items, concurrency, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/**
 * Runs every fixture (a few at a time: each render starts helm) in a
 * DEVSTACK_HOME of its own unless one is set, offline so no public chart
 * repository is reached. Returns the per-fixture results and the totals.
 */
export async function runCorpus({ names = fixtureNames(), concurrency = 4, keep = false } = {}) {
  const { env, cleanup } = corpusEnv();
  try {
    const results = await pool(names, concurrency, (name) => runFixture(name, { env, keep }));
    return { results, totals: totals(results) };
  } finally {
    cleanup();
  }
}

/** The corpus's figures: what bench:init prints and the test holds to. */
export function totals(results) {
  const written = results.filter((r) => r.written);
  return {
    apps: results.length,
    differences: results.reduce((n, r) => n + r.differences.length, 0),
    unflagged: results.reduce((n, r) => n + r.differences.filter((d) => !d.flagged).length, 0),
    per_app: Object.fromEntries(results.map((r) => [r.name, r.differences.length])),
    written: written.length,
    render_ok: written.filter((r) => r.render?.code === 0).length,
    diff_ok: written.filter((r) => r.diff?.code === 0).length,
  };
}
