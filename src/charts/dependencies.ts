import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, cpSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { parse, stringify } from "yaml";
import { userDirs } from "../fs/paths.js";
import { helm } from "./helm.js";

interface Dependency {
  name: string;
  version: string;
  repository: string;
}

export interface PreparedChart {
  dir: string;
  /** Dependencies left out, with why; empty when every one is vendored. */
  skipped: string[];
  reason?: string;
}

const RETRY_AFTER_MS = 10 * 60_000;

/**
 * A directory of chart packages (`<name>-<version>.tgz`, as `helm pull`
 * writes them) used instead of the chart repositories: air-gapped machines,
 * and maintainers checking the platform against charts assembled from source.
 */
export const CHART_PACKAGES_ENV = "DEVSTACK_PLATFORM_CHARTS";

export const packageFile = (d: Pick<Dependency, "name" | "version">) => `${d.name}-${d.version}.tgz`;

/** A hash of the chart's own files (not its vendored charts/), naming its working copy. */
function hashDir(dir: string): string {
  const hash = createHash("sha256");
  const walk = (current: string, prefix: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === "charts" && prefix === "") continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else hash.update(`${prefix}${entry.name}\0`).update(readFileSync(path));
    }
  };
  walk(dir, "");
  return hash.digest("hex");
}

function vendored(dir: string, deps: Dependency[]): boolean {
  const files = existsSync(join(dir, "charts")) ? readdirSync(join(dir, "charts")) : [];
  return deps.every((d) => files.includes(packageFile(d)));
}

/** The name and version a chart package says it holds (its top-level Chart.yaml). */
async function packagedChart(file: string): Promise<{ name?: string; version?: string }> {
  let found: { name?: string; version?: string } = {};
  const untar = extract();
  untar.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: unknown) => {
      if (/^[^/]+\/Chart\.yaml$/.test(header.name)) chunks.push(c as Buffer);
    });
    stream.on("end", () => {
      if (chunks.length > 0) found = parse(Buffer.concat(chunks).toString("utf8")) as typeof found;
      next();
    });
    stream.resume();
  });
  await pipeline(createReadStream(file), createGunzip(), untar);
  return { name: found.name, version: found.version === undefined ? undefined : String(found.version) };
}

interface LocalPackages {
  dir: string;
  found: Dependency[];
  problems: string[];
  /** Digest of the packages used, so a changed package makes a new working copy. */
  digest: string;
}

async function localPackages(dirSetting: string, deps: Dependency[]): Promise<LocalPackages> {
  const dir = isAbsolute(dirSetting) ? dirSetting : resolve(dirSetting);
  const found: Dependency[] = [];
  const problems: string[] = [];
  const hash = createHash("sha256");
  for (const d of deps) {
    const file = join(dir, packageFile(d));
    if (!existsSync(file)) {
      problems.push(`${packageFile(d)} is not in ${CHART_PACKAGES_ENV}=${dir}`);
      continue;
    }
    const inside = await packagedChart(file).catch(() => ({ name: undefined, version: undefined }));
    if (inside.name !== d.name || inside.version !== d.version) {
      problems.push(`${file} holds ${inside.name ?? "no chart"} ${inside.version ?? ""}`.trimEnd() + `, not ${d.name} ${d.version}`);
      continue;
    }
    found.push(d);
    hash.update(packageFile(d)).update(readFileSync(file));
  }
  return { dir, found, problems, digest: hash.digest("hex") };
}

/**
 * A working copy of a chart in the user cache with its dependencies vendored:
 * from the packages in DEVSTACK_PLATFORM_CHARTS when it is set, otherwise by
 * `helm dependency build` from the chart repositories. Dependencies that
 * cannot be had are left out of the copy, and the result says which and why;
 * a repository failure is remembered for ten minutes so repeated renders
 * stay fast offline. DEVSTACK_OFFLINE=1 skips the attempt.
 */
export async function prepareChart(source: string): Promise<PreparedChart> {
  const chart = parse(readFileSync(join(source, "Chart.yaml"), "utf8")) as { dependencies?: Dependency[] } & Record<string, unknown>;
  const deps = chart.dependencies ?? [];
  if (deps.length === 0) return { dir: source, skipped: [] };
  const cache = join(userDirs().cache, "charts");
  mkdirSync(cache, { recursive: true });
  const packagesSetting = process.env[CHART_PACKAGES_ENV];
  const local = packagesSetting ? await localPackages(packagesSetting, deps) : undefined;
  const id = createHash("sha256").update(hashDir(source)).update(local?.digest ?? "").digest("hex").slice(0, 16);
  const dir = join(cache, `${String(chart.name)}-${local ? "local-" : ""}${id}`);
  const wanted = local ? local.found : deps;
  if (wanted.length === deps.length && existsSync(join(dir, "Chart.yaml")) && vendored(dir, wanted)) return finish(touch(dir), deps, wanted, undefined);

  // Offline, or after a recent repository failure, nothing can be vendored: the copy without dependencies is reused as is.
  const failedAt = join(cache, `${String(chart.name)}.unreachable`);
  const lastFailure = local ? undefined : recentFailure(failedAt);
  const known = local ? undefined : process.env.DEVSTACK_OFFLINE === "1" ? "DEVSTACK_OFFLINE=1" : lastFailure;
  if (known !== undefined && existsSync(join(partialDir(dir, []), "Chart.yaml"))) return finish(touch(partialDir(dir, [])), deps, [], known);

  // Every run stages its own copy and publishes it by rename; a copy another run published first is used, never deleted under it.
  const staging = `${dir}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  cpSync(source, staging, { recursive: true, filter: (p) => !p.endsWith(".tgz") });
  let have: Dependency[] = wanted;
  let reason: string | undefined = local?.problems.join("; ") || known;
  try {
    if (local) {
      mkdirSync(join(staging, "charts"), { recursive: true });
      for (const d of local.found) copyFileSync(join(local.dir, packageFile(d)), join(staging, "charts", packageFile(d)));
    } else if (known === undefined) {
      reason = await build(staging, deps, cache);
      if (reason === undefined) rmSync(failedAt, { force: true });
      else writeAtomically(failedAt, `${Date.now()}\n${reason}\n`);
    }
    if (reason !== undefined && !local) have = [];
    // Helm refuses a chart whose listed dependencies are missing: list only the vendored ones.
    const target = have.length === deps.length ? dir : partialDir(dir, have);
    if (have.length < deps.length) writeFileSync(join(staging, "Chart.yaml"), stringify({ ...chart, dependencies: have.length > 0 ? have : undefined }));
    publish(staging, target, () => existsSync(join(target, "Chart.yaml")) && vendored(target, have));
    pruneStale(cache, String(chart.name), target);
    return finish(target, deps, have, reason);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Marks a working copy as in use, so pruning (by age) leaves it alone. */
function touch(dir: string): string {
  try {
    const now = new Date();
    utimesSync(dir, now, now);
  } catch {
    // Read-only cache: it still serves.
  }
  return dir;
}

/** The copy with only some dependencies, named by which, so each such copy is written once. */
function partialDir(dir: string, have: Dependency[]): string {
  return `${dir}-partial-${createHash("sha256").update(have.map(packageFile).sort().join("\0")).digest("hex").slice(0, 8)}`;
}

function recentFailure(file: string): string | undefined {
  try {
    const [when, ...why] = readFileSync(file, "utf8").split("\n");
    return Date.now() - Number(when) < RETRY_AFTER_MS ? why.join(" ").trim() || "unreachable" : undefined;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** Moves a finished copy into place; when another run got there first with a whole copy, keeps that one. */
function publish(staging: string, target: string, whole: () => boolean): void {
  try {
    renameSync(staging, target);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "EPERM") throw error;
  }
  if (whole()) return;
  // What is there is not whole (a run killed mid-copy left it): set it aside, then take its place.
  const aside = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.broken`;
  try {
    renameSync(target, aside);
  } catch {
    // Another run moved it first.
  }
  rmSync(aside, { recursive: true, force: true });
  try {
    renameSync(staging, target);
  } catch (error) {
    if (!whole()) throw error;
  }
}

const STALE_MS = 7 * 24 * 3600_000;

/** Working copies of older chart sources (an earlier devstack, other packages) unused for a week; they only take disk. */
function pruneStale(cache: string, name: string, keep: string): void {
  for (const entry of readdirSync(cache, { withFileTypes: true })) {
    const path = join(cache, entry.name);
    if (!entry.isDirectory() || !entry.name.startsWith(`${name}-`) || path === keep) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run may be replacing it; the next prune gets it.
    }
  }
}

function finish(dir: string, deps: Dependency[], have: Dependency[], reason: string | undefined): PreparedChart {
  const skipped = deps.filter((d) => !have.some((h) => h.name === d.name)).map((d) => `${d.name} ${d.version}`);
  return skipped.length > 0 ? { dir, skipped, reason: reason ?? "unavailable" } : { dir, skipped: [] };
}

async function build(dir: string, deps: Dependency[], cache: string): Promise<string | undefined> {
  // A private repository config, so devstack neither needs nor changes the user's `helm repo` list.
  const env = {
    HELM_REPOSITORY_CONFIG: join(cache, "repositories.yaml"),
    HELM_REPOSITORY_CACHE: join(cache, "repository-cache"),
  };
  const repos = [...new Set(deps.map((d) => d.repository))];
  for (const [i, url] of repos.entries()) {
    const added = await helm(["repo", "add", `devstack-${i}`, url, "--force-update"], { env, timeoutMs: 30_000 });
    if (added.exitCode !== 0) return firstLine(added.stderr || added.stdout);
  }
  const built = await helm(["dependency", "build", dir], { env, timeoutMs: 180_000 });
  return built.exitCode === 0 ? undefined : firstLine(built.stderr || built.stdout);
}

function firstLine(text: string): string {
  return (text.trim().split("\n").find((l) => l.trim()) ?? "failed").replace(/^Error: /, "").slice(0, 300);
}
