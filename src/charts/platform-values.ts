import { parse } from "yaml";
import { alertmanagerConfig } from "../alerts/alertmanager.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { dashboards } from "../dashboards/dashboards.js";
import { PLATFORM_NAMESPACE, SECRETS_NAMESPACE } from "../project/names.js";
import { budgetOf, budgetValues } from "./platform-budget.js";
import { platformImageValues } from "./platform-images.js";
import { traefikChartValues } from "./traefik-values.js";

const ACME_SERVERS = {
  local: `https://pebble.${PLATFORM_NAMESPACE}.svc.cluster.local:14000/dir`,
  letsencrypt: "https://acme-v02.api.letsencrypt.org/directory",
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

/** The External Secrets operator's service account, named by the chart values (fullnameOverride). */
export const ESO_SERVICE_ACCOUNT = "external-secrets";

export interface PlatformInputs {
  /** PEM of the CA behind the local ACME server's own TLS certificate, when the stack knows it. */
  acmeCaPem?: string;
}

type Tree = Record<string, unknown>;

const isTree = (v: unknown): v is Tree => typeof v === "object" && v !== null && !Array.isArray(v);

/** Later trees win; lists and scalars are replaced whole, as helm merges values files. */
export function mergeValues(...trees: Tree[]): Tree {
  const out: Tree = {};
  for (const tree of trees) {
    for (const [key, value] of Object.entries(tree)) out[key] = isTree(value) && isTree(out[key]) ? mergeValues(out[key], value) : value;
  }
  return out;
}

/** How External Secrets reaches AWS Secrets Manager: its own role through IRSA or Pod Identity, or the node's. */
function awsAuth(store: Extract<ResolvedConfig["profile"]["secretStore"], { type: "aws-secrets-manager" }>) {
  if (!store.roleArn) return { identity: "default", serviceAccountAnnotations: {} };
  if (store.identity === "pod-identity") return { identity: "pod-identity", serviceAccountAnnotations: {} };
  return { identity: "irsa", serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": store.roleArn } };
}

/**
 * Values for charts/platform from the profile. Only endpoints, credential
 * sources and image locations differ by profile; the subcharts' own settings
 * (charts/platform/values.yaml, resources, Traefik's logs) are the same everywhere.
 */
export function platformValues(config: ResolvedConfig, inputs: PlatformInputs = {}) {
  const { profile } = config;
  const acme = profile.acme;
  const store = profile.secretStore;
  const eks = profile.cluster.type === "eks" ? profile.cluster : undefined;
  const aws = store.type === "aws-secrets-manager" ? awsAuth(store) : undefined;
  const region = store.type === "aws-secrets-manager" ? (store.region ?? eks?.region ?? "") : "";
  const platformKey = `${config.app.name}-platform`;
  const profileValues = {
    profile: config.profileName,
    acme: {
      server: ACME_SERVERS[acme.type],
      email: acme.type === "local" ? "" : acme.email,
      caBundle: acme.type === "local" && inputs.acmeCaPem ? Buffer.from(inputs.acmeCaPem).toString("base64") : "",
      ingressClassName: "traefik",
    },
    secretStore:
      store.type === "aws-secrets-manager"
        ? { provider: "aws", remoteNamespace: SECRETS_NAMESPACE, aws: { region, prefix: store.prefix, identity: aws?.identity ?? "default", serviceAccount: ESO_SERVICE_ACCOUNT } }
        : { provider: "kubernetes", remoteNamespace: SECRETS_NAMESPACE, aws: { region: "", prefix: "", identity: "default", serviceAccount: ESO_SERVICE_ACCOUNT } },
    smtp: { storeKey: platformKey, property: profile.smtp.type === "relay" ? profile.smtp.passwordSecret : "SMTP_PASSWORD" },
    grafanaAdmin: { storeKey: platformKey, property: GRAFANA_ADMIN_PASSWORD },
    dashboards: Object.fromEntries(Object.entries(dashboards(config)).map(([name, d]) => [name, JSON.stringify(d)])),
    // The app's alerts: routes and e-mail settings from devstack.yaml and the profile's SMTP.
    alertmanager: { config: parse(alertmanagerConfig(config)) as Tree },
    // Grafana behind the same ingress and issuer as the app, in every profile.
    grafana: {
      ingress: {
        enabled: true,
        ingressClassName: "traefik",
        annotations: { "cert-manager.io/cluster-issuer": "devstack-acme" },
        hosts: [`grafana.${profile.domain}`],
        tls: [{ secretName: "grafana-tls", hosts: [`grafana.${profile.domain}`] }],
      },
    },
    // k3s bundles Traefik (configured alike by `up`); elsewhere the platform installs it.
    traefik: { enabled: profile.cluster.type !== "k3s", ...traefikChartValues(budgetOf("traefik", "traefik")) },
    "external-secrets": { serviceAccount: { name: ESO_SERVICE_ACCOUNT, annotations: aws?.serviceAccountAnnotations ?? {} } },
  };
  // Merged so the profile's settings win, and typed as what devstack itself reads back.
  return mergeValues(budgetValues(), platformImageValues(profile.images), profileValues) as typeof profileValues & Tree;
}

/** The store property of Grafana's admin password, in the `<app>-platform` group. */
const GRAFANA_ADMIN_PASSWORD = "GRAFANA_ADMIN_PASSWORD";

/**
 * The first pass of a first install: the operators whose CRDs and webhooks
 * the platform's own objects need (cert-manager, External Secrets, Traefik).
 * What mounts secrets those objects deliver (Grafana, Alertmanager) and the
 * log pipeline come in the second pass, with the objects.
 */
export function operatorsPass(values: Tree): Tree {
  return mergeValues(values, { objects: { enabled: false }, loki: { enabled: false }, alloy: { enabled: false }, grafana: { enabled: false }, alertmanager: { enabled: false } });
}

