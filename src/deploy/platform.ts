import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { prepareChart } from "../charts/dependencies.js";
import { helm, helmUpgrade } from "../charts/helm.js";
import { PLATFORM_NAMESPACE, PLATFORM_RELEASE } from "../charts/names.js";
import { operatorsPass, platformValues, type PlatformInputs } from "../charts/platform-values.js";
import { PLATFORM_CHART } from "../charts/render.js";

const PREFIX = "devstack-platform ";

type Access = { kubeconfig: string; context?: string };
type Step = <T>(title: string, work: () => Promise<T>) => Promise<T>;

/** The platform release's state: installed or not, and the hash of the values it was installed with. */
export async function platformState(access: Access): Promise<{ installed: boolean; hash: string | undefined }> {
  const result = await helm(["history", PLATFORM_RELEASE, "--namespace", PLATFORM_NAMESPACE, "--kubeconfig", access.kubeconfig, ...(access.context ? ["--kube-context", access.context] : []), "--max", "1", "-o", "json"]);
  if (result.exitCode !== 0) return { installed: false, hash: undefined };
  const [last] = JSON.parse(result.stdout) as { status: string; description: string }[];
  const installed = last !== undefined && last.status === "deployed";
  return { installed, hash: last?.description.startsWith(PREFIX) ? last.description.slice(PREFIX.length) : undefined };
}

/**
 * Installs the platform chart, or upgrades it when its values changed (the
 * values' hash is the release's description). A first install runs twice:
 * operators, CRDs and webhooks first, ready; then `beforeObjects` (secrets
 * delivery); then the ClusterIssuer, ClusterSecretStore, the ExternalSecrets
 * and what mounts their Secrets (Grafana, Alertmanager), and the log pipeline.
 */
export async function ensurePlatform(config: ResolvedConfig, access: Access, step: Step, inputs: PlatformInputs, beforeObjects: () => Promise<void>): Promise<"installed" | "upgraded" | "unchanged"> {
  const values = platformValues(config, inputs);
  const prepared = await prepareChart(PLATFORM_CHART);
  // The working copy's name carries the chart's and its subcharts' identity: a devstack that pins a new subchart upgrades.
  const hash = createHash("sha256").update(JSON.stringify(values)).update(basename(prepared.dir)).digest("hex").slice(0, 16);
  const state = await platformState(access);
  if (state.installed && state.hash === hash) {
    await beforeObjects();
    return "unchanged";
  }
  if (prepared.skipped.length > 0) {
    throw new DevstackError(`the platform chart's dependencies cannot be fetched: ${prepared.reason}`, {
      fix: "installing the platform needs the public chart repositories (or a mirror of them); check the network, or unset DEVSTACK_OFFLINE",
    });
  }
  const upgrade = (v: unknown) =>
    helmUpgrade({ release: PLATFORM_RELEASE, chart: prepared.dir, namespace: PLATFORM_NAMESPACE, values: v, kubeconfig: access.kubeconfig, ...(access.context ? { context: access.context } : {}), timeout: "15m", description: `${PREFIX}${hash}` });
  if (!state.installed) {
    await step("platform chart: operators and CRDs", () => upgrade(operatorsPass(values)));
  }
  await beforeObjects();
  await step(`platform chart: ${state.installed ? "upgrade (values changed)" : "install"}`, () => upgrade(values));
  return state.installed ? "upgraded" : "installed";
}
