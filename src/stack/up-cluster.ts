import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { stringify } from "yaml";
import { prepareChart } from "../charts/dependencies.js";
import { helmUpgrade } from "../charts/helm.js";
import { PLATFORM_NAMESPACE } from "../charts/names.js";
import { platformValues } from "../charts/platform-values.js";
import { appChart, PLATFORM_CHART } from "../charts/render.js";
import { webappValues } from "../charts/values.js";
import { applyObjects, kubeConfig } from "../cluster/apply.js";
import { storeSecretObjects } from "../cluster/secret-objects.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { buildAndPublishLocal } from "../deploy/publish.js";
import { smokeCheck } from "../deploy/smoke.js";
import { DevstackError } from "../errors.js";
import { writeDurable } from "../fs/durable.js";
import type { Snapshot } from "../secrets/store.js";
import { requireExternal, secretsVersion, type SyncResult } from "../secrets/sync.js";
import { corednsCustom, localRegistryHosting, namespace, siblingService, traefikConfig } from "./cluster-wiring.js";
import type { StackSpec } from "./components.js";
import { waitForK3s } from "./k3s.js";
import { pebbleApiCa, setDefaultIpv4, stackStateDir } from "./pebble.js";
import { localKubeconfigPath } from "./paths.js";
import type { Step } from "./up-services.js";

function ipOf(info: Docker.ContainerInspectInfo, network: string): string {
  const ip = info.NetworkSettings.Networks[network]?.IPAddress;
  if (!ip) throw new DevstackError(`${info.Name} has no address on ${network}`);
  return ip;
}

function hashOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

/** Skips a helm release whose chart and values are what was last deployed successfully. */
function unchanged(stack: string, release: string, hash: string): boolean {
  const file = join(stackStateDir(stack), `deployed-${release}.json`);
  return existsSync(file) && (JSON.parse(readFileSync(file, "utf8")) as { hash: string }).hash === hash;
}

function remember(stack: string, release: string, hash: string, clusterId: string): void {
  writeDurable(join(stackStateDir(stack), `deployed-${release}.json`), JSON.stringify({ hash, clusterId, at: new Date().toISOString() }), { mode: 0o600 });
}

function unchangedCluster(stack: string, clusterId: string): boolean {
  const file = join(stackStateDir(stack), "deployed-devstack-platform.json");
  return existsSync(file) && (JSON.parse(readFileSync(file, "utf8")) as { clusterId?: string }).clusterId === clusterId;
}

export interface ClusterResult {
  url: string;
  grafana: string;
  image: string;
  kubeconfig: string;
  skipped: string[];
}

/**
 * The cluster half of `up`: k3s ready, wired to the containers beside it, the
 * platform chart, the secrets, the app image and release, and the app
 * answering over HTTPS with a certificate from the local ACME server.
 */
export async function upCluster(docker: Docker, config: ResolvedConfig, spec: StackSpec, sync: SyncResult, step: Step, options: { acmeRootChanged: boolean }): Promise<ClusterResult> {
  const { ports } = config.profile;
  const kubeconfig = localKubeconfigPath(config);
  const container = (component: string) => spec.containers.find((c) => c.component === component);
  const skipped: string[] = [];
  const k3s = container("k3s");
  if (!k3s) throw new DevstackError("the stack has no k3s container");

  await step("k3s: ready", () => waitForK3s(docker, k3s.name, ports.kubeApi, kubeconfig));
  const kc = await kubeConfig(kubeconfig);
  const ipOfComponent = async (component: string) => ipOf(await docker.getContainer(container(component)?.name as string).inspect(), spec.network);
  const nodeIp = await ipOfComponent("k3s");

  await step("k3s: wire the services beside it", async () => {
    const objects: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }[] = [
      namespace(PLATFORM_NAMESPACE),
      corednsCustom(config.profile.domain),
      localRegistryHosting(ports.registry),
      traefikConfig(stringify({ logs: { general: { format: "json" }, access: { enabled: true, format: "json" } } })),
    ];
    if (container("postgres")) objects.push(...siblingService("postgres", await ipOfComponent("postgres"), [{ name: "postgres", port: 5432 }]));
    if (container("pebble")) {
      objects.push(...siblingService("pebble", await ipOfComponent("pebble"), [{ name: "acme", port: 14000 }, { name: "management", port: 15000 }]));
      // Pebble resolves every name to the k3s node, whose port 80 is Traefik: HTTP-01 reaches the ingress.
      await setDefaultIpv4(ports.acmeTestServer, nodeIp);
    }
    if (container("smtp")) objects.push(...siblingService("smtp", await ipOfComponent("smtp"), [{ name: "smtp", port: 1025 }, { name: "web", port: 1080 }]));
    await applyObjects(kc, objects);
  });

  const ca = container("pebble") ? await pebbleApiCa(spec.id) : undefined;
  const platform = platformValues(config, ca ? { acmeCaPem: ca.cert } : {});
  const prepared = await prepareChart(PLATFORM_CHART);
  if (prepared.skipped.length > 0) {
    throw new DevstackError(`the platform chart's dependencies cannot be fetched: ${prepared.reason}`, {
      fix: "`devstack up` needs the public chart repositories (or a mirror of them) the first time; check the network, or unset DEVSTACK_OFFLINE",
    });
  }
  // Keyed by the k3s container too: a new cluster (after --purge or a lost volume) is installed afresh.
  const clusterId = (await docker.getContainer(k3s.name).inspect()).Id;
  const platformHash = hashOf({ clusterId, chart: prepared.dir, platform });
  if (unchanged(spec.id, "devstack-platform", platformHash)) skipped.push("platform chart (unchanged)");
  else {
    const installed = existsSync(join(stackStateDir(spec.id), "deployed-devstack-platform.json")) && unchangedCluster(spec.id, clusterId);
    if (!installed) {
      // First the operators with their CRDs and webhooks, ready; then the objects that need them.
      await step("platform chart: operators and CRDs", () =>
        helmUpgrade({ release: "devstack-platform", chart: prepared.dir, namespace: PLATFORM_NAMESPACE, values: { ...platform, objects: { enabled: false } }, kubeconfig, timeout: "15m" }),
      );
    }
    await step("platform chart: install or upgrade", () =>
      helmUpgrade({ release: "devstack-platform", chart: prepared.dir, namespace: PLATFORM_NAMESPACE, values: platform, kubeconfig, timeout: "15m" }),
    );
    remember(spec.id, "devstack-platform", platformHash, clusterId);
  }

  requireExternal(sync, config.profileName);
  const snapshot: Snapshot = sync.snapshot;
  const version = secretsVersion(snapshot);
  await step("secrets: deliver to namespace devstack-secrets", () => applyObjects(kc, storeSecretObjects(config.app.name, snapshot, version)));

  const published = await buildAndPublishLocal(docker, config, { step });
  const { repository, tag, digest } = published;
  if (!published.built) skipped.push(`build and push (sources unchanged, ${tag})`);
  const image = { repository, tag, ...(digest ? { digest } : {}) };
  const values = webappValues(config, image, { secretsVersion: version });
  const chart = appChart(config);
  const appHash = hashOf({ clusterId, chart, values });
  if (unchanged(spec.id, config.app.name, appHash)) skipped.push("helm upgrade (values and image unchanged)");
  else {
    await step(`deploy: helm upgrade --install ${config.app.name}`, () => helmUpgrade({ release: config.app.name, chart, namespace: config.app.name, values, kubeconfig, timeout: "10m" }));
    remember(spec.id, config.app.name, appHash, clusterId);
  }

  if (options.acmeRootChanged) {
    // Certificates from the previous root no longer verify: dropping the TLS secrets makes cert-manager issue new ones.
    await step("tls: re-issue certificates for the new local ACME root", async () => {
      const { CoreV1Api } = await import("@kubernetes/client-node");
      const core = kc.makeApiClient(CoreV1Api);
      for (const [name, ns] of [[`${config.app.name}-tls`, config.app.name], ["grafana-tls", PLATFORM_NAMESPACE]] as const) {
        await core.deleteNamespacedSecret({ name, namespace: ns }).catch(() => undefined);
      }
    });
  }

  const rootFile = join(stackStateDir(spec.id), "pebble-root.pem");
  const result = await step(`https: ${config.url}${config.app.service.health}`, () =>
    smokeCheck({
      url: `${config.url}${config.app.service.health}`,
      connectTo: { host: "127.0.0.1", port: ports.https },
      ...(existsSync(rootFile) ? { ca: readFileSync(rootFile, "utf8") } : {}),
      timeoutMs: 5 * 60_000,
    }),
  );
  if (!result.ok) {
    throw new DevstackError(`${config.url}${config.app.service.health} did not answer over HTTPS: ${result.error ?? "no answer"} (${result.attempts} attempts)`, {
      fix: `\`kubectl --kubeconfig ${kubeconfig} -n ${config.app.name} get certificate,pods\` shows whether the certificate or the pods are behind`,
    });
  }
  return { url: config.url, grafana: `https://grafana.${config.profile.domain}`, image: `${repository}@${digest ?? tag}`, kubeconfig, skipped };
}
