import { existsSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { helm, helmFailure, withValuesFile } from "../charts/helm.js";
import { PLATFORM_NAMESPACE } from "../charts/names.js";
import { forwardToPod } from "../cluster/port-forward.js";
import { DEPLOY_COMPONENT } from "../dashboards/dashboards.js";
import { LokiClient } from "../logs/loki.js";
import { imageString, type ImageRef } from "../charts/image.js";
import { appChart } from "../charts/render.js";
import { webappValues } from "../charts/values.js";
import { applyObjects, kubeConfig } from "../cluster/apply.js";
import { diagnosePods } from "../cluster/diagnose.js";
import { secretsAccessObjects, storeSecretObjects } from "../cluster/secret-objects.js";
import { appNamespace } from "../config/namespace.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { run } from "../process/run.js";
import { secretPlan } from "../secrets/model.js";
import { openStore } from "../secrets/open-store.js";
import { requireExternal, secretsVersion, syncSecrets, type SyncResult } from "../secrets/sync.js";
import { connectDocker } from "../stack/docker.js";
import { stackId } from "../stack/names.js";
import { pebbleApiCa, stackStateDir } from "../stack/pebble.js";
import { historyArgs, rollbackArgs, upgradeArgs } from "../charts/helm-args.js";
import { ESO_SERVICE_ACCOUNT } from "../charts/platform-values.js";
import { ensurePodIdentity } from "./eks.js";
import { ensurePlatform } from "./platform.js";
import { hasScheduledExports, publishToolsImage } from "./tools-image.js";
import { buildAndPublishLocal } from "./publish.js";
import { buildAndPublishRemote } from "./publish-remote.js";
import { configHash, encodeRecord, parseHistory, previousRevision, upToDate, type Release, type ReleaseRecord } from "./release-record.js";
import { smokeCheck, type SmokeResult } from "./smoke.js";
import { clusterAccess, type ClusterAccess } from "./target.js";

export type Step = <T>(title: string, work: () => Promise<T>) => Promise<T>;

export interface DeployOptions {
  step: Step;
  /** Deploy exactly this image (promote, rollback of config); otherwise build from the sources. */
  image?: ImageRef;
  promotedFrom?: string;
  timeout?: string;
  smokeTimeoutMs?: number;
  /** Told about each step skipped because its input is unchanged. */
  onSkip?: (what: string) => void;
  /** Given the secret values once read, so the caller can redact them from everything it prints. */
  onSecrets?: (snapshot: import("../secrets/store.js").Snapshot) => void;
}

export interface DeployResult {
  profile: string;
  release: string;
  revision: number | undefined;
  image: string;
  url: string;
  smoke: SmokeResult;
  record: ReleaseRecord;
  /** True when the running release already had these values: nothing was upgraded. */
  skipped: boolean;
}

async function chartHash(dir: string): Promise<string> {
  const { contextHash } = await import("./context-hash.js");
  return contextHash(dir, "Chart.yaml");
}

async function gitState(dir: string): Promise<{ commit: string | null; dirty: boolean; by: string }> {
  const head = await run("git", ["rev-parse", "HEAD"], { cwd: dir }).catch(() => undefined);
  const status = await run("git", ["status", "--porcelain"], { cwd: dir }).catch(() => undefined);
  const email = await run("git", ["config", "user.email"], { cwd: dir }).catch(() => undefined);
  return {
    commit: head?.exitCode === 0 ? head.stdout.trim() : null,
    dirty: status?.exitCode === 0 ? status.stdout.trim() !== "" : false,
    by: email?.exitCode === 0 && email.stdout.trim() ? email.stdout.trim() : userInfo().username,
  };
}

/**
 * Secrets synced (external ones required), then the platform installed or
 * upgraded with the local store delivered between its passes: what every
 * deploy and `devstack platform` do first.
 */
export async function secretsAndPlatform(config: ResolvedConfig, access: Pick<ClusterAccess, "kubeconfig" | "context">, step: Step, onSecrets?: (snapshot: SyncResult["snapshot"]) => void) {
  const secrets = await openStore(config);
  const sync = await step("secrets: sync", () => syncSecrets(secretPlan(config), secrets));
  onSecrets?.(sync.snapshot);
  requireExternal(sync, config.profileName);
  const deliver = async () => {
    if (config.profile.secretStore.type !== "local") return;
    const kc = await kubeConfig(access.kubeconfig, access.context);
    await step("secrets: deliver to namespace devstack-secrets", () => applyObjects(kc, [...secretsAccessObjects(), ...storeSecretObjects(config.app.name, sync.snapshot, secretsVersion(sync.snapshot))]));
  };
  const store = config.profile.secretStore;
  const cluster = config.profile.cluster;
  if (cluster.type === "eks" && store.type === "aws-secrets-manager" && store.identity === "pod-identity" && store.roleArn) {
    const { EKSClient } = await import("@aws-sdk/client-eks");
    const target = { cluster: cluster.name, namespace: PLATFORM_NAMESPACE, serviceAccount: ESO_SERVICE_ACCOUNT, roleArn: store.roleArn };
    await step(`secrets: Pod Identity for ${ESO_SERVICE_ACCOUNT}`, () => ensurePodIdentity(new EKSClient({ region: cluster.region }), target));
  }
  const ca = config.profile.acme.type === "local" ? await pebbleApiCa(stackId(config)) : undefined;
  const platform = await ensurePlatform(config, { kubeconfig: access.kubeconfig, ...(access.context ? { context: access.context } : {}) }, step, ca ? { acmeCaPem: ca.cert } : {}, deliver);
  return { sync, platform };
}

export async function releases(config: ResolvedConfig, access: Pick<ClusterAccess, "kubeconfig" | "context">): Promise<Release[]> {
  const result = await helm(historyArgs({ release: config.app.name, namespace: appNamespace(config), kubeconfig: access.kubeconfig, ...(access.context ? { context: access.context } : {}) }));
  if (result.exitCode !== 0) {
    if (/not found/i.test(result.stderr)) return [];
    throw helmFailure(`helm history of ${config.app.name}`, result);
  }
  return parseHistory(result.stdout);
}

/** GET the canonical URL's health path through the real ingress and TLS; locally via the published HTTPS port and the local ACME root. */
export async function smoke(config: ResolvedConfig, timeoutMs: number): Promise<SmokeResult> {
  const url = `${config.url}${config.app.service.health}`;
  if (config.profile.cluster.type !== "k3s") return smokeCheck({ url, timeoutMs });
  const rootFile = join(stackStateDir(stackId(config)), "pebble-root.pem");
  return smokeCheck({ url, connectTo: { host: "127.0.0.1", port: config.profile.ports.https }, ...(existsSync(rootFile) ? { ca: readFileSync(rootFile, "utf8") } : {}), timeoutMs });
}

/**
 * One deploy for every profile: cluster access → platform if missing →
 * secrets → image (built, or the given digest) → helm upgrade with the
 * release record → smoke check; a failed check rolls back and explains.
 */
export async function deploy(config: ResolvedConfig, options: DeployOptions): Promise<DeployResult> {
  const { step } = options;
  const access = await step(`cluster: ${config.profile.cluster.type}`, () => clusterAccess(config));
  try {
    const ctx = access.context ? { context: access.context } : {};
    const { sync, platform } = await secretsAndPlatform(config, access, step, options.onSecrets);
    if (platform === "unchanged") options.onSkip?.("platform chart (unchanged)");

    let image = options.image;
    if (!image) {
      const docker = await connectDocker();
      const published = config.profile.registry.type === "local" ? await buildAndPublishLocal(docker, config, { step }) : await buildAndPublishRemote(docker, config, step);
      if (!published.built) options.onSkip?.(`build and push (sources unchanged, ${published.tag})`);
      image = { repository: published.repository, tag: published.tag, ...(published.digest ? { digest: published.digest } : {}) };
    }

    if (hasScheduledExports(config)) {
      // Export CronJobs run devstack itself; its image is built once per devstack build.
      const tools = await publishToolsImage(await connectDocker(), config, step);
      if (!tools.built) options.onSkip?.(`export image (devstack unchanged, ${tools.image.tag})`);
    }
    const values = webappValues(config, image, { secretsVersion: secretsVersion(sync.snapshot) });
    const chart = appChart(config);
    const git = await gitState(config.projectDir);
    const chartMeta = readFileSync(join(chart, "Chart.yaml"), "utf8");
    const record: ReleaseRecord = {
      devstack: 1,
      commit: git.commit,
      dirty: git.dirty,
      image: image.repository,
      digest: image.digest ?? null,
      // The chart's files count too: a team's own chart edited without a version bump is still a change.
      configHash: configHash({ values, chart: await chartHash(chart) }),
      chart: `${/^name:\s*(\S+)/m.exec(chartMeta)?.[1] ?? "chart"}-${/^version:\s*(\S+)/m.exec(chartMeta)?.[1] ?? "0"}`,
      by: git.by,
      at: new Date().toISOString(),
      ...(options.promotedFrom ? { promotedFrom: options.promotedFrom } : {}),
    };
    const before = await releases(config, access);
    // Status before process: the running release already has exactly these values.
    const current = upToDate(before, record);
    if (current?.record) {
      options.onSkip?.(`helm upgrade (values and image unchanged, revision ${current.revision})`);
      const result = await step(`smoke: ${config.url}${config.app.service.health}`, () => smoke(config, options.smokeTimeoutMs ?? 3 * 60_000));
      if (!result.ok) throw new DevstackError(`${config.url}${config.app.service.health} does not answer: ${result.error ?? "no answer"}`, { fix: `\`devstack status\` and \`devstack releases --profile ${config.profileName}\` show what runs` });
      return { profile: config.profileName, release: config.app.name, revision: current.revision, image: imageString(image), url: config.url, smoke: result, record: current.record, skipped: true };
    }
    await step(`deploy: helm upgrade --install ${config.app.name} (${imageString(image)})`, () =>
      withValuesFile(values, async (valuesFile) => {
        const result = await helm(upgradeArgs({ release: config.app.name, chart, namespace: appNamespace(config), valuesFile, kubeconfig: access.kubeconfig, ...ctx, timeout: options.timeout ?? "10m", description: encodeRecord(record) }), { timeoutMs: 30 * 60_000 });
        if (result.exitCode !== 0) throw helmFailure(`helm upgrade of ${config.app.name}`, result, "--atomic rolled the release back: the previous version is still serving");
      }),
    );
    const after = await releases(config, access);
    const revision = after[0]?.revision;
    const result = await step(`smoke: ${config.url}${config.app.service.health}`, () => smoke(config, options.smokeTimeoutMs ?? 3 * 60_000));
    if (!result.ok) {
      const kc = await kubeConfig(access.kubeconfig, access.context);
      const why = await diagnosePods(kc, appNamespace(config), config.app.name).catch(() => "");
      const previous = revision ? previousRevision(after, revision) : undefined;
      if (previous) await step(`rollback: to revision ${previous}`, () => rollbackTo(config, access, previous));
      throw new DevstackError(
        `${config.url}${config.app.service.health} did not answer 2xx (${result.error ?? "no answer"}, ${result.attempts} attempts)${previous ? `; rolled back to revision ${previous}, which keeps serving` : before.length === 0 ? "; this was the first release, nothing to roll back to" : ""}${why ? `\n${why}` : ""}`,
        { fix: `\`devstack logs --profile ${config.profileName} --level error\` and the lines above say why; fix and deploy again` },
      );
    }
    await markDeploy(access, config, record, revision);
    return { profile: config.profileName, release: config.app.name, revision, image: imageString(image), url: config.url, smoke: result, record, skipped: false };
  } finally {
    access.dispose();
  }
}

/** A line in Loki for each deploy: the dashboards' deploy annotations. Best effort: a deploy never fails on it. */
async function markDeploy(access: Pick<ClusterAccess, "kubeconfig" | "context">, config: ResolvedConfig, record: ReleaseRecord, revision: number | undefined): Promise<void> {
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

export async function rollbackTo(config: ResolvedConfig, access: Pick<ClusterAccess, "kubeconfig" | "context">, revision: number): Promise<void> {
  const result = await helm(rollbackArgs({ release: config.app.name, namespace: appNamespace(config), kubeconfig: access.kubeconfig, ...(access.context ? { context: access.context } : {}), revision, timeout: "10m" }), { timeoutMs: 15 * 60_000 });
  if (result.exitCode !== 0) throw helmFailure(`helm rollback of ${config.app.name} to ${revision}`, result);
}
