import { existsSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { helm, helmFailure, withValuesFile } from "../charts/helm.js";
import { historyArgs, rollbackArgs, upgradeArgs } from "../charts/helm-args.js";
import { PLATFORM_NAMESPACE } from "../project/names.js";
import { kubeConfig } from "../cluster/apply.js";
import { diagnosePods } from "../cluster/diagnose.js";
import { forwardToPod } from "../cluster/port-forward.js";
import { appNamespace } from "../config/namespace.js";
import { smokeUrls } from "../config/components.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { DEPLOY_COMPONENT } from "../dashboards/dashboards.js";
import { LokiClient } from "../logs/loki.js";
import { run } from "../process/run.js";
import { stackId } from "../project/ids.js";
import { stackStateDir } from "../project/paths.js";
import { encodeRecord, parseHistory, type Release, type ReleaseRecord } from "./release-record.js";
import { smokeCheck, type SmokeResult } from "./smoke.js";
import type { ClusterAccess } from "./target.js";

// The app release's operations, each one call into helm, the Kubernetes API
// or HTTP: what the deploy, promote and rollback flows observe and execute.

type Access = Pick<ClusterAccess, "kubeconfig" | "context">;

const ctx = (access: Access) => (access.context ? { context: access.context } : {});

export async function releases(config: ResolvedConfig, access: Access): Promise<Release[]> {
  const result = await helm(historyArgs({ release: config.app.name, namespace: appNamespace(config), kubeconfig: access.kubeconfig, ...ctx(access) }));
  if (result.exitCode !== 0) {
    if (/not found/i.test(result.stderr)) return [];
    throw helmFailure(`helm history of ${config.app.name}`, result);
  }
  return parseHistory(result.stdout);
}

export async function upgradeRelease(config: ResolvedConfig, access: Access, chart: string, values: unknown, record: ReleaseRecord, timeout = "10m"): Promise<void> {
  await withValuesFile(values, async (valuesFile) => {
    const result = await helm(upgradeArgs({ release: config.app.name, chart, namespace: appNamespace(config), valuesFile, kubeconfig: access.kubeconfig, ...ctx(access), timeout, description: encodeRecord(record) }), { timeoutMs: 30 * 60_000 });
    if (result.exitCode !== 0) throw helmFailure(`helm upgrade of ${config.app.name}`, result, "--atomic rolled the release back: the previous version is still serving");
  });
}

export async function rollbackTo(config: ResolvedConfig, access: Access, revision: number): Promise<void> {
  const result = await helm(rollbackArgs({ release: config.app.name, namespace: appNamespace(config), kubeconfig: access.kubeconfig, ...ctx(access), revision, timeout: "10m" }), { timeoutMs: 15 * 60_000 });
  if (result.exitCode !== 0) throw helmFailure(`helm rollback of ${config.app.name} to ${revision}`, result);
}

/**
 * GET every routed component's health path through the real ingress and
 * TLS (locally via the published HTTPS port and the local ACME root); the
 * first that does not answer is the result. A product with no routed
 * component has nothing to check.
 */
export async function smoke(config: ResolvedConfig, timeoutMs: number): Promise<SmokeResult> {
  const urls = smokeUrls(config);
  const local = config.profile.cluster.type === "k3s";
  const rootFile = join(stackStateDir(stackId(config)), "pebble-root.pem");
  const extra = local ? { connectTo: { host: "127.0.0.1", port: config.profile.ports.https }, ...(existsSync(rootFile) ? { ca: readFileSync(rootFile, "utf8") } : {}) } : {};
  let total: SmokeResult = { ok: true, attempts: 0, ms: 0 } as SmokeResult;
  for (const url of urls) {
    const result = await smokeCheck({ url, timeoutMs, ...extra });
    total = { ...result, attempts: total.attempts + result.attempts, ms: total.ms + result.ms };
    if (!result.ok) return { ...total, error: `${url}: ${result.error ?? "no answer"}` };
  }
  return total;
}

export async function diagnose(config: ResolvedConfig, access: Access): Promise<string> {
  return diagnosePods(await kubeConfig(access.kubeconfig, access.context), appNamespace(config), config.app.name);
}

/** A line in Loki for each deploy: the dashboards' deploy annotations. Best effort: a deploy never fails on it. */
export async function markDeploy(config: ResolvedConfig, access: Access, record: ReleaseRecord, revision: number | undefined): Promise<void> {
  try {
    const kc = await kubeConfig(access.kubeconfig, access.context);
    const forward = await forwardToPod(kc, PLATFORM_NAMESPACE, "app.kubernetes.io/name=loki", 3100);
    try {
      const line = JSON.stringify({ msg: "deploy", revision, digest: record.digest, commit: record.commit, by: record.by });
      await new LokiClient(`http://127.0.0.1:${forward.port}`).push({ app: config.app.name, environment: config.profileName, component: DEPLOY_COMPONENT }, line);
    } finally {
      await forward.close();
    }
  } catch {
    // Loki not (yet) there: the graphs miss one mark, nothing else.
  }
}

export async function gitState(dir: string): Promise<{ commit: string | null; dirty: boolean; by: string }> {
  const head = await run("git", ["rev-parse", "HEAD"], { cwd: dir }).catch(() => undefined);
  const status = await run("git", ["status", "--porcelain"], { cwd: dir }).catch(() => undefined);
  const email = await run("git", ["config", "user.email"], { cwd: dir }).catch(() => undefined);
  return {
    commit: head?.exitCode === 0 ? head.stdout.trim() : null,
    dirty: status?.exitCode === 0 ? status.stdout.trim() !== "" : false,
    by: email?.exitCode === 0 && email.stdout.trim() ? email.stdout.trim() : userInfo().username,
  };
}

/** The chart's identity for the release record: its files' hash and `name-version`. */
export async function chartIdentity(dir: string): Promise<{ hash: string; name: string }> {
  const { contextHash } = await import("../build/context-hash.js");
  const meta = readFileSync(join(dir, "Chart.yaml"), "utf8");
  return { hash: await contextHash(dir, "Chart.yaml"), name: `${/^name:\s*(\S+)/m.exec(meta)?.[1] ?? "chart"}-${/^version:\s*(\S+)/m.exec(meta)?.[1] ?? "0"}` };
}
