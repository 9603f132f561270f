import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
  return deps.every((d) => files.includes(`${d.name}-${d.version}.tgz`));
}

/**
 * A working copy of a chart in the user cache with its dependencies vendored
 * by `helm dependency build`. When the chart repositories cannot be reached,
 * the copy drops them and says which; the last failure is remembered for ten
 * minutes so repeated renders stay fast offline. DEVSTACK_OFFLINE=1 skips the
 * attempt.
 */
export async function prepareChart(source: string): Promise<PreparedChart> {
  const chart = parse(readFileSync(join(source, "Chart.yaml"), "utf8")) as { dependencies?: Dependency[] } & Record<string, unknown>;
  const deps = chart.dependencies ?? [];
  if (deps.length === 0) return { dir: source, skipped: [] };
  const cache = join(userDirs().cache, "charts");
  const dir = join(cache, `${String(chart.name)}-${hashDir(source).slice(0, 16)}`);
  if (vendored(dir, deps)) return { dir, skipped: [] };

  mkdirSync(cache, { recursive: true });
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(source, staging, { recursive: true, filter: (p) => !p.endsWith(".tgz") });
  const failedAt = join(cache, `${String(chart.name)}.unreachable`);
  const recent = existsSync(failedAt) && Date.now() - Number(readFileSync(failedAt, "utf8").split("\n")[0]) < RETRY_AFTER_MS;
  let reason: string | undefined;
  if (process.env.DEVSTACK_OFFLINE === "1") reason = "DEVSTACK_OFFLINE=1";
  else if (recent) reason = readFileSync(failedAt, "utf8").split("\n").slice(1).join(" ").trim() || "unreachable";
  else reason = await build(staging, deps, cache);

  if (reason === undefined) {
    rmSync(failedAt, { force: true });
  } else {
    if (!recent && process.env.DEVSTACK_OFFLINE !== "1") writeFileSync(failedAt, `${Date.now()}\n${reason}\n`);
    // Helm refuses a chart whose listed dependencies are missing: list none.
    writeFileSync(join(staging, "Chart.yaml"), stringify({ ...chart, dependencies: undefined }));
    const skippedDir = `${dir}-without-dependencies`;
    rmSync(skippedDir, { recursive: true, force: true });
    renameSync(staging, skippedDir);
    return { dir: skippedDir, skipped: deps.map((d) => `${d.name} ${d.version}`), reason };
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return { dir, skipped: [] };
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
