import { PLATFORM_NAMESPACE } from "../project/names.js";

// Objects that wire the k3s cluster to the containers beside it. They exist
// only locally and are applied by `up`, not by the charts, so the charts stay
// the same in every profile.

/** Pods cannot use Docker's DNS, so sibling containers are reached through selector-less Services. */
export function siblingService(name: string, ip: string, ports: { name: string; port: number }[]) {
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: PLATFORM_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "devstack" } },
      spec: { ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: "TCP" })) },
    },
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: `${name}-devstack`,
        namespace: PLATFORM_NAMESPACE,
        labels: { "kubernetes.io/service-name": name, "endpointslice.kubernetes.io/managed-by": "devstack" },
      },
      addressType: "IPv4",
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
      ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: "TCP" })),
    },
  ];
}

export function namespace(name: string) {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "app.kubernetes.io/managed-by": "devstack" } } };
}

/**
 * k3s rewrites its own coredns ConfigMap on restart; coredns-custom is the
 * supported place. Every name under the app's domain resolves to Traefik, so
 * cert-manager's HTTP-01 self-check and in-cluster calls reach the ingress.
 */
export function corednsCustom(domain: string) {
  const escaped = domain.replace(/\./g, "\\.");
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "coredns-custom", namespace: "kube-system" },
    data: { "devstack.override": `rewrite name regex ^(.+)\\.${escaped}\\.?$ traefik.kube-system.svc.cluster.local answer auto\n` },
  };
}

/** KEP-1755: tells tools in the cluster where the local registry is. */
export function localRegistryHosting(registryPort: number) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "local-registry-hosting", namespace: "kube-public" },
    data: { "localRegistryHosting.v1": `host: "localhost:${registryPort}"\nhelp: "https://github.com/kubernetes/enhancements/tree/master/keps/sig-cluster-lifecycle/generic/1755-communicating-a-local-registry"\n` },
  };
}

/** k3s's bundled Traefik, configured as the platform chart configures Traefik on EKS. */
export function traefikConfig(valuesContent: string) {
  return {
    apiVersion: "helm.cattle.io/v1",
    kind: "HelmChartConfig",
    metadata: { name: "traefik", namespace: "kube-system" },
    spec: { valuesContent },
  };
}
