import { lokiRules } from "../alerts/rules.js";
import { componentScale } from "../config/components.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { durationSeconds } from "../config/duration.js";
import { primaryComponent, type ComponentConfig } from "../config/schema/app.js";
import { InternalError } from "../errors.js";
import type { ImageRef } from "./image.js";
import { exportJobConfig } from "../exports/profile-job-config.js";
import { CLUSTER_ISSUER, SECRET_STORE } from "../project/names.js";
import { serviceValues } from "./service-values.js";
import { toolsImage } from "./tools-image.js";
import type { WebappValues } from "./webapp-values.js";

type ComponentValues = WebappValues["components"][number];
type Probe = ComponentConfig["readiness"];

/** Every pod has a writable /tmp on its read-only root filesystem, of this size unless the component sets one. */
const TMP_SIZE = "256Mi";

/**
 * The name of a component's Deployment, Service, PodDisruptionBudget, HPA
 * and NetworkPolicy: the app's own for `web` (so a one-component app keeps
 * the names it always had), `<app>-<component>` for every other.
 */
function componentFullname(appName: string, component: string): string {
  return component === "web" ? appName : `${appName}-${component}`;
}

function imageValues(image: ImageRef): WebappValues["image"] {
  return { repository: image.repository, tag: image.tag, digest: image.digest ?? "", pullPolicy: "IfNotPresent" };
}

function probeValues(probe: Probe): ComponentValues["readiness"] {
  if (!probe) return null;
  if ("http" in probe) return { http: { path: probe.http } };
  if ("tcp" in probe) return { tcp: true };
  return { exec: { command: probe.exec } };
}

function resourceValues(resources: ComponentConfig["resources"]): WebappValues["resources"] {
  return {
    requests: { ...resources.requests },
    limits: { ...(resources.limits.cpu ? { cpu: resources.limits.cpu } : {}), memory: resources.limits.memory },
  };
}

function writableValues(writable: Record<string, string>): ComponentValues["writable"] {
  const paths = Object.entries(writable).filter(([path]) => path.replace(/\/+$/, "") !== "/tmp");
  const tmp = Object.entries(writable).find(([path]) => path.replace(/\/+$/, "") === "/tmp")?.[1] ?? TMP_SIZE;
  return [{ path: "/tmp", name: "tmp", sizeLimit: tmp }, ...paths.map(([path, sizeLimit], i) => ({ path, name: `writable-${i + 1}`, sizeLimit }))];
}

/**
 * The app's pods that may reach a component, by their component label: the
 * components that call it (all of them unless a component lists what it
 * calls), the cron jobs and the migration. A component without ports is
 * reached by nobody.
 */
function reachedBy(config: ResolvedConfig, name: string, component: ComponentConfig): string[] {
  if (component.port === undefined && Object.keys(component.ports).length === 0) return [];
  const { app } = config;
  const callers = Object.entries(app.components)
    .filter(([, caller]) => caller.calls === undefined || caller.calls.includes(name))
    .map(([caller]) => caller);
  return [...callers, ...Object.keys(app.jobs).map((job) => `job-${job}`), ...(app.migrate ? ["migrate"] : [])];
}

/** The component whose build a component runs: itself, or the one whose image it borrows. */
function imageOwner(app: ResolvedConfig["app"], name: string): string | undefined {
  const component = app.components[name];
  return component?.build ? name : component?.image;
}

/** The image a component runs: its own build's, or the one it borrows. */
function componentImage(app: ResolvedConfig["app"], name: string, images: Record<string, ImageRef>): ImageRef {
  const imageOf = imageOwner(app, name);
  const image = imageOf === undefined ? undefined : images[imageOf];
  if (!image) throw new InternalError(`no image for component ${name} (${imageOf ?? "neither build nor image"}); images: ${Object.keys(images).join(", ") || "none"}`);
  return image;
}

/**
 * What a component receives from the secrets: everything, or (least privilege) the secrets it names and the
 * services' variables that travel in their Secret without being secret, which every pod gets like plain env.
 */
function secretValues(component: ComponentConfig, shared: string[]): ComponentValues["secrets"] {
  if (component.secrets === undefined) return { all: true, names: [] };
  return { all: false, names: [...component.secrets, ...shared.filter((n) => !component.secrets?.includes(n))] };
}

function componentValues(config: ResolvedConfig, name: string, component: ComponentConfig, images: Record<string, ImageRef>, shared: string[]): ComponentValues {
  const { app } = config;
  const image = componentImage(app, name, images);
  const scale = componentScale(config, name);
  const port = component.port ?? null;
  // The documented default: a TCP check on its port; a worker has none unless it declares one.
  const readiness = component.readiness ?? (port === null ? undefined : { tcp: true as const });
  return {
    name,
    fullname: componentFullname(app.name, name),
    image: imageValues(image),
    command: component.command ?? [],
    port,
    ports: Object.entries(component.ports).map(([portName, number]) => ({ name: portName, port: number })),
    routes: component.routes.map((route) => ("path" in route ? { path: route.path } : { host: `${route.subdomain}.${config.host}` })),
    readiness: probeValues(readiness),
    liveness: probeValues(component.liveness),
    replicas: { min: scale.replicas, max: scale.max, cpuTarget: scale.cpu },
    resources: resourceValues(scale.resources),
    env: { ...component.env },
    secrets: secretValues(component, shared),
    writable: writableValues(component.writable),
    reachedBy: reachedBy(config, name, component),
  };
}

/**
 * The app chart's values: a pure function of the resolved config and the
 * images, one per component that builds its own (keyed by component name;
 * a component with `image: other` runs images[other]). Secret values never
 * pass through here; only secret names do.
 */
export function webappValues(config: ResolvedConfig, images: Record<string, ImageRef>, options: { secretsVersion?: string } = {}): WebappValues {
  const { app, profile } = config;
  const services = serviceValues(config);
  const components = Object.entries(app.components).map(([name, component]) => componentValues(config, name, component, images, services.shared));
  const primaryName = primaryComponent(app).name;
  const primary = components.find((c) => c.name === primaryName) as ComponentValues;
  const health = primary.readiness && "http" in primary.readiness ? primary.readiness.http.path : primary.liveness && "http" in primary.liveness ? primary.liveness.http.path : "/";
  return {
    app: { name: app.name },
    profile: config.profileName,
    // Copies, so the values file holds no YAML aliases.
    image: { ...primary.image },
    ...(primary.port === null ? {} : { service: { port: primary.port, health } }),
    replicas: { ...primary.replicas },
    resources: resourceValues(primary.resources),
    components,
    env: { ...app.env, ...services.env },
    secrets: {
      store: { kind: "ClusterSecretStore", name: SECRET_STORE },
      refreshInterval: "1h",
      // What the app declares; the chart extracts the whole group, which locally also holds the object store's keys.
      app: Object.keys(app.secrets).sort(),
      services: services.services,
      aliases: services.aliases,
      version: options.secretsVersion ?? "",
    },
    ingress: { host: config.host, className: "traefik", clusterIssuer: CLUSTER_ISSUER },
    serviceAccount: {
      annotations: profile.cluster.type === "eks" && profile.cluster.roleArn ? { "eks.amazonaws.com/role-arn": profile.cluster.roleArn } : {},
    },
    pod: { runAsUser: 1000, runAsGroup: 1000, terminationGracePeriodSeconds: 30, preStopSeconds: 5 },
    jobs: Object.entries(app.jobs).map(([name, job]) => ({
      name,
      // A job on another component's image; the primary's (the top-level image) otherwise.
      ...(job.component !== undefined && imageOwner(app, job.component) !== primaryComponent(app).name ? { image: imageValues(componentImage(app, job.component, images)) } : {}),
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
