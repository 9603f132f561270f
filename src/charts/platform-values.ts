import { parse } from "yaml";
import { alertmanagerConfig } from "../alerts/alertmanager.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { grafanaDashboardValues } from "../dashboards/dashboards.js";
import { PLATFORM_NAMESPACE, SECRETS_NAMESPACE } from "./names.js";

export const ACME_SERVERS = {
  local: `https://pebble.${PLATFORM_NAMESPACE}.svc.cluster.local:14000/dir`,
  letsencrypt: "https://acme-v02.api.letsencrypt.org/directory",
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

export interface PlatformInputs {
  /** PEM of the CA behind the local ACME server's own TLS certificate, when the stack knows it. */
  acmeCaPem?: string;
}

/**
 * Values for charts/platform from the profile. Only endpoints and
 * credentials sources differ by profile; the subcharts' own settings live in
 * the chart's values.yaml and are the same everywhere.
 */
export function platformValues(config: ResolvedConfig, inputs: PlatformInputs = {}) {
  const { profile } = config;
  const acme = profile.acme;
  const store = profile.secretStore;
  const eks = profile.cluster.type === "eks" ? profile.cluster : undefined;
  const region = store.type === "aws-secrets-manager" ? (store.region ?? eks?.region ?? "") : "";
  return {
    profile: config.profileName,
    acme: {
      server: ACME_SERVERS[acme.type],
      email: acme.type === "local" ? "" : acme.email,
      caBundle: acme.type === "local" && inputs.acmeCaPem ? Buffer.from(inputs.acmeCaPem).toString("base64") : "",
      ingressClassName: "traefik",
    },
    secretStore:
      store.type === "aws-secrets-manager"
        ? { provider: "aws", remoteNamespace: SECRETS_NAMESPACE, aws: { region, prefix: store.prefix, serviceAccount: store.roleArn ? "external-secrets" : "" } }
        : { provider: "kubernetes", remoteNamespace: SECRETS_NAMESPACE, aws: { region: "", prefix: "", serviceAccount: "" } },
    smtp: { storeKey: `${config.app.name}-platform`, property: profile.smtp.type === "relay" ? profile.smtp.passwordSecret : "SMTP_PASSWORD" },
    // The app's alerts: routes and e-mail settings from devstack.yaml and the profile's SMTP.
    alertmanager: { config: parse(alertmanagerConfig(config)) as Record<string, unknown> },
    // Grafana behind the same ingress and issuer as the app, in every profile.
    grafana: {
      ...grafanaDashboardValues(config),
      ingress: {
        enabled: true,
        ingressClassName: "traefik",
        annotations: { "cert-manager.io/cluster-issuer": "devstack-acme" },
        hosts: [`grafana.${profile.domain}`],
        tls: [{ secretName: "grafana-tls", hosts: [`grafana.${profile.domain}`] }],
      },
    },
    // k3s bundles Traefik; elsewhere the platform installs it with the same settings.
    traefik: { enabled: profile.cluster.type !== "k3s" },
    "external-secrets": {
      serviceAccount: {
        annotations: store.type === "aws-secrets-manager" && store.roleArn ? { "eks.amazonaws.com/role-arn": store.roleArn } : {},
      },
    },
  };
}

export type PlatformValues = ReturnType<typeof platformValues>;
