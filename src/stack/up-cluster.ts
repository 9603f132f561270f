import { goYaml } from "../config/go-yaml.js";
import type Docker from "dockerode";
import { PLATFORM_NAMESPACE } from "../charts/names.js";
import { deploy } from "../deploy/pipeline.js";
import { applyObjects, kubeConfig } from "../cluster/apply.js";
import { appNamespace } from "../config/namespace.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import type { Snapshot } from "../secrets/store.js";
import { budgetOf } from "../charts/platform-budget.js";
import { k3sTraefikValues } from "../charts/traefik-values.js";
import { corednsCustom, localRegistryHosting, namespace, siblingService, traefikConfig } from "./cluster-wiring.js";
import type { StackSpec } from "./components.js";
import { waitForK3s } from "./k3s.js";
import { setDefaultIpv4 } from "./pebble.js";
import { waitFor } from "./wait.js";
import { localKubeconfigPath } from "./paths.js";
import type { Step } from "./up-services.js";

function ipOf(info: Docker.ContainerInspectInfo, network: string): string {
  const ip = info.NetworkSettings.Networks[network]?.IPAddress;
  if (!ip) throw new DevstackError(`${info.Name} has no address on ${network}`);
  return ip;
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
export async function upCluster(docker: Docker, config: ResolvedConfig, spec: StackSpec, step: Step, options: { acmeRootChanged: boolean; onSecrets?: (snapshot: Snapshot) => void }): Promise<ClusterResult> {
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
      traefikConfig(goYaml(k3sTraefikValues(budgetOf("traefik", "traefik"), config.profile.images.overrides.traefik))),
    ];
    if (container("postgres")) objects.push(...siblingService("postgres", await ipOfComponent("postgres"), [{ name: "postgres", port: 5432 }]));
    if (container("pebble")) {
      objects.push(...siblingService("pebble", await ipOfComponent("pebble"), [{ name: "acme", port: 14000 }, { name: "management", port: 15000 }]));
      // Pebble resolves every name to the k3s node, whose port 80 is Traefik: HTTP-01 reaches the ingress.
      await setDefaultIpv4(ports.acmeTestServer, nodeIp);
    }
    if (container("smtp")) objects.push(...siblingService("smtp", await ipOfComponent("smtp"), [{ name: "smtp", port: 1025 }, { name: "web", port: 1080 }]));
    if (container("object-store")) objects.push(...siblingService("object-store", await ipOfComponent("object-store"), [{ name: "s3", port: 9000 }]));
    // k3s registers some kinds (HelmChartConfig) a little after its node is Ready: retry until they are known.
    await waitFor("the k3s API to accept the wiring", () => applyObjects(kc, objects).then(() => true), 120_000, 2000);
  });

  if (options.acmeRootChanged) {
    // Certificates from the previous root no longer verify: dropping the TLS secrets makes cert-manager issue new ones.
    await step("tls: re-issue certificates for the new local ACME root", async () => {
      const { CoreV1Api } = await import("@kubernetes/client-node");
      const core = kc.makeApiClient(CoreV1Api);
      for (const [name, ns] of [[`${config.app.name}-tls`, appNamespace(config)], ["grafana-tls", PLATFORM_NAMESPACE]] as const) {
        await core.deleteNamespacedSecret({ name, namespace: ns }).catch(() => undefined);
      }
    });
  }
  // The app goes through the deploy engine, as in every profile.
  const result = await deploy(config, { step, onSkip: (what) => skipped.push(what), smokeTimeoutMs: 5 * 60_000, ...(options.onSecrets ? { onSecrets: options.onSecrets } : {}) });
  return { url: config.url, grafana: `https://grafana.${config.profile.domain}`, image: result.image, kubeconfig, skipped };
}
