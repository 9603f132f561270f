import { goYaml } from "../config/go-yaml.js";
import type Docker from "dockerode";
import { PLATFORM_NAMESPACE } from "../project/names.js";
import { planDeployDry, runDeploy } from "./deploy.js";
import type { Plan } from "../flows/plan.js";
import { planUp } from "../flows/up.js";
import type { StackPlan } from "../stack/plan.js";
import { applyObjects, kubeConfig } from "../cluster/apply.js";
import { appNamespace } from "../config/namespace.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import type { Snapshot } from "../secrets/store.js";
import { budgetOf } from "../charts/platform-budget.js";
import { k3sTraefikValues } from "../charts/traefik-values.js";
import { corednsCustom, localRegistryHosting, namespace, siblingService, traefikConfig } from "../stack/cluster-wiring.js";
import type { StackSpec } from "../stack/components.js";
import { STANDINS } from "../stack/standins/index.js";
import { waitForK3s } from "../stack/standins/k3s.js";
import { setDefaultIpv4 } from "../stack/standins/pebble.js";
import { waitFor } from "../stack/wait.js";
import { localKubeconfigPath } from "../project/paths.js";
import type { Step } from "../stack/up-services.js";

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
    // Each stand-in the pods reach gets a Service in front of its container, on the ports its module names.
    for (const standin of STANDINS) {
      if (standin.clusterPorts.length > 0 && container(standin.component)) objects.push(...siblingService(standin.component, await ipOfComponent(standin.component), standin.clusterPorts));
    }
    // Pebble resolves every name to the k3s node, whose port 80 is Traefik: HTTP-01 reaches the ingress.
    if (container("pebble")) await setDefaultIpv4(ports.acmeTestServer, nodeIp);
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
  const result = await runDeploy(config, { step, smokeTimeoutMs: 5 * 60_000, ...(options.onSecrets ? { onSecrets: options.onSecrets } : {}) });
  skipped.push(...result.skippedSteps);
  return { url: config.url, grafana: `https://grafana.${config.profile.domain}`, image: result.image, kubeconfig, skipped };
}

/**
 * `up --dry-run`: the containers' plan and, with the cluster, the plan of
 * its half — derived from the deploy flow's own planning. A k3s or
 * registry this run creates from new volumes is known to hold nothing.
 */
export async function planUpDry(config: ResolvedConfig, stack: StackPlan, cluster: boolean): Promise<Plan> {
  const containers = stack.containers.map((c) => ({ component: c.spec.component, action: c.action, reason: c.reason }));
  const isNew = (component: string) => {
    const found = stack.containers.find((c) => c.spec.component === component);
    return found !== undefined && found.action === "create" && found.spec.volumes.every((v) => stack.volumes.find((x) => x.name === v.name)?.action === "create");
  };
  const deploy = cluster ? await planDeployDry(config, { fresh: { cluster: isNew("k3s"), registry: isNew("registry") } }) : undefined;
  return planUp(config, containers, deploy);
}
