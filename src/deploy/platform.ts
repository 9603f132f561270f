import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { prepareChart } from "../charts/dependencies.js";
import { helm, helmUpgrade } from "../charts/helm.js";
import { PLATFORM_NAMESPACE } from "../charts/names.js";
import { platformValues, type PlatformInputs } from "../charts/platform-values.js";
import { PLATFORM_CHART } from "../charts/render.js";

export const PLATFORM_RELEASE = "devstack-platform";

export async function platformInstalled(kubeconfig: string, context?: string): Promise<boolean> {
  const result = await helm(["status", PLATFORM_RELEASE, "--namespace", PLATFORM_NAMESPACE, "--kubeconfig", kubeconfig, ...(context ? ["--kube-context", context] : [])]);
  return result.exitCode === 0;
}

/**
 * Installs or upgrades the platform chart. A first install runs twice: the
 * operators with their CRDs and webhooks first, ready, then the ClusterIssuer
 * and ClusterSecretStore that need them.
 */
export async function installPlatform(
  config: ResolvedConfig,
  access: { kubeconfig: string; context?: string },
  step: <T>(title: string, work: () => Promise<T>) => Promise<T>,
  options: PlatformInputs & { firstInstall: boolean },
): Promise<void> {
  const prepared = await prepareChart(PLATFORM_CHART);
  if (prepared.skipped.length > 0) {
    throw new DevstackError(`the platform chart's dependencies cannot be fetched: ${prepared.reason}`, {
      fix: "the first install needs the public chart repositories (or a mirror of them); check the network, or unset DEVSTACK_OFFLINE",
    });
  }
  const values = platformValues(config, options);
  const upgrade = (v: unknown) => helmUpgrade({ release: PLATFORM_RELEASE, chart: prepared.dir, namespace: PLATFORM_NAMESPACE, values: v, kubeconfig: access.kubeconfig, ...(access.context ? { context: access.context } : {}), timeout: "15m" });
  // Without the objects there is no SMTP secret yet, so Alertmanager mounts it only in the second pass.
  if (options.firstInstall) await step("platform chart: operators and CRDs", () => upgrade({ ...values, objects: { enabled: false }, alertmanager: { ...values.alertmanager, extraSecretMounts: [] } }));
  await step("platform chart: install or upgrade", () => upgrade(values));
}
