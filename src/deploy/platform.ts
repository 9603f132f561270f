import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { ResolvedConfig } from "../config/resolve.js";
import { prepareChart, type PreparedChart } from "../charts/dependencies.js";
import { helm, helmFailure, helmUpgrade } from "../charts/helm.js";
import { PLATFORM_NAMESPACE, PLATFORM_RELEASE } from "../project/names.js";
import { operatorsPass, platformValues, type PlatformInputs } from "../charts/platform-values.js";
import { PLATFORM_CHART } from "../charts/render.js";

const PREFIX = "devstack-platform ";

type Access = { kubeconfig: string; context?: string };

/** The platform release's state: installed or not, and the hash of the values it was installed with. */
export async function platformState(access: Access): Promise<{ installed: boolean; hash: string | undefined }> {
  const result = await helm(["history", PLATFORM_RELEASE, "--namespace", PLATFORM_NAMESPACE, "--kubeconfig", access.kubeconfig, ...(access.context ? ["--kube-context", access.context] : []), "--max", "1", "-o", "json"]);
  if (result.exitCode !== 0) {
    if (/not found/i.test(result.stderr)) return { installed: false, hash: undefined };
    throw helmFailure(`helm history of ${PLATFORM_RELEASE}`, result);
  }
  const [last] = JSON.parse(result.stdout) as { status: string; description: string }[];
  const installed = last !== undefined && last.status === "deployed";
  return { installed, hash: last?.description.startsWith(PREFIX) ? last.description.slice(PREFIX.length) : undefined };
}

export interface WantedPlatform {
  values: Record<string, unknown>;
  prepared: PreparedChart;
  /** Stored as the release's description: an equal hash means nothing to upgrade. */
  hash: string;
}

/** The platform release devstack wants: values, the chart with its dependencies, and their hash. */
export async function wantedPlatform(config: ResolvedConfig, inputs: PlatformInputs): Promise<WantedPlatform> {
  const values = platformValues(config, inputs) as Record<string, unknown>;
  const prepared = await prepareChart(PLATFORM_CHART);
  // The working copy's name carries the chart's and its subcharts' identity: a devstack that pins a new subchart upgrades.
  const hash = createHash("sha256").update(JSON.stringify(values)).update(basename(prepared.dir)).digest("hex").slice(0, 16);
  return { values, prepared, hash };
}

/**
 * One pass of the platform release. A first install runs two: operators,
 * CRDs and webhooks first, ready; then (after the secrets are delivered)
 * everything, including the ClusterIssuer, the ClusterSecretStore and what
 * mounts the Secrets they make.
 */
export async function applyPlatform(access: Access, wanted: WantedPlatform, pass: "operators" | "full"): Promise<void> {
  await helmUpgrade({
    release: PLATFORM_RELEASE,
    chart: wanted.prepared.dir,
    namespace: PLATFORM_NAMESPACE,
    values: pass === "operators" ? operatorsPass(wanted.values) : wanted.values,
    kubeconfig: access.kubeconfig,
    ...(access.context ? { context: access.context } : {}),
    timeout: "15m",
    description: `${PREFIX}${wanted.hash}`,
  });
}
