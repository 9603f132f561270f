import { lokiRules } from "../alerts/rules.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { durationSeconds } from "../config/duration.js";
import type { ImageRef } from "./image.js";
import { exportJobConfig } from "../exports/job-config.js";
import { CLUSTER_ISSUER, LOCAL_POSTGRES_HOST, SECRET_STORE } from "../project/names.js";
import { toolsImage } from "./tools-image.js";
import type { WebappValues } from "./webapp-values.js";

/**
 * The app chart's values: a pure function of the resolved config and the image.
 * Secret values never pass through here; only secret names do.
 */
export function webappValues(config: ResolvedConfig, image: ImageRef, options: { secretsVersion?: string } = {}): WebappValues {
  const { app, profile } = config;
  const min = profile.autoscale?.min ?? profile.replicas ?? app.service.replicas;
  const resources = profile.resources ?? app.service.resources;
  const database = app.database;
  const dbEndpoint = profile.database;
  return {
    app: { name: app.name, component: "web" },
    profile: config.profileName,
    image: { repository: image.repository, tag: image.tag, digest: image.digest ?? "", pullPolicy: "IfNotPresent" },
    service: { port: app.service.port, health: app.service.health },
    replicas: { min, max: profile.autoscale?.max ?? min, cpuTarget: profile.autoscale?.cpu ?? 70 },
    resources: {
      requests: { ...resources.requests },
      limits: { ...(resources.limits.cpu ? { cpu: resources.limits.cpu } : {}), memory: resources.limits.memory },
    },
    env: { ...app.env },
    secrets: {
      store: { kind: "ClusterSecretStore", name: SECRET_STORE },
      refreshInterval: "1h",
      // What the app declares; the chart extracts the whole group, which locally also holds the object store's keys.
      app: Object.keys(app.secrets).sort(),
      ...(database
        ? {
            database: {
              env: database.env,
              host: dbEndpoint.type === "external" ? dbEndpoint.host : LOCAL_POSTGRES_HOST,
              port: dbEndpoint.type === "external" ? dbEndpoint.port : 5432,
              name: database.name,
              sslmode: dbEndpoint.type === "external" ? dbEndpoint.sslmode : "disable",
            },
          }
        : {}),
      version: options.secretsVersion ?? "",
    },
    ingress: { host: config.host, className: "traefik", clusterIssuer: CLUSTER_ISSUER },
    serviceAccount: {
      annotations: profile.cluster.type === "eks" && profile.cluster.roleArn ? { "eks.amazonaws.com/role-arn": profile.cluster.roleArn } : {},
    },
    pod: { runAsUser: 1000, runAsGroup: 1000, terminationGracePeriodSeconds: 30, preStopSeconds: 5 },
    jobs: Object.entries(app.jobs).map(([name, job]) => ({
      name,
      schedule: job.schedule,
      timeZone: job.timeZone,
      command: job.command,
      activeDeadlineSeconds: durationSeconds(job.timeout),
      backoffLimit: job.retries,
    })),
    exports: {
      image: toolsImage(config),
      config: JSON.stringify(exportJobConfig(config)),
      jobs: Object.entries(app.exports).flatMap(([name, spec]) => (spec.schedule ? [{ name, schedule: spec.schedule }] : [])),
    },
    migration: app.migrate
      ? { enabled: true, command: app.migrate.command, activeDeadlineSeconds: durationSeconds(app.migrate.timeout) }
      : { enabled: false, command: [], activeDeadlineSeconds: 600 },
    alerts: { rules: lokiRules(config) },
    networkPolicy: { ingressControllerLabels: { "app.kubernetes.io/name": "traefik" } },
  };
}
