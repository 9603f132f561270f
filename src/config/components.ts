import type { ResolvedConfig } from "./resolve.js";

/**
 * The URLs a deploy checks through the real ingress: every routed component
 * with an HTTP readiness probe, at its probe path on its route's host.
 * Path-routed components serve under their prefix, so the probe path is
 * already the public one.
 */
export function smokeUrls(config: Pick<ResolvedConfig, "app" | "url" | "host">): string[] {
  const urls: string[] = [];
  for (const component of Object.values(config.app.components)) {
    const probe = component.readiness && "http" in component.readiness ? component.readiness.http : undefined;
    if (component.port === undefined || probe === undefined) continue;
    for (const route of component.routes) {
      const url = "path" in route ? `${config.url}${probe}` : `https://${route.subdomain}.${config.host}${probe}`;
      if (!urls.includes(url)) urls.push(url);
    }
  }
  return urls;
}

/** What a smoke check checks, in words: the URLs, or that there is nothing routed to check. */
export function smokeTarget(config: Pick<ResolvedConfig, "app" | "url" | "host">): string {
  return smokeUrls(config).join(", ") || "(no routed component)";
}

type Resources = ResolvedConfig["app"]["components"][string]["resources"];

/**
 * The replicas, autoscaling and resources of a component in a profile: the
 * profile's settings for that component, else its profile-wide ones, else
 * the component's own. Replicas set for the component alone mean a fixed
 * count: the profile-wide autoscale no longer applies to it.
 */
export function componentScale(config: Pick<ResolvedConfig, "app" | "profile">, name: string): { replicas: number; max: number; cpu: number; resources: Resources } {
  const component = config.app.components[name];
  if (!component) return { replicas: 0, max: 0, cpu: 70, resources: { requests: { cpu: "0", memory: "0" }, limits: { memory: "0" } } };
  const own = config.profile.components[name] ?? {};
  const autoscale = own.autoscale ?? (own.replicas === undefined ? config.profile.autoscale : undefined);
  const replicas = autoscale?.min ?? own.replicas ?? config.profile.replicas ?? component.replicas;
  return { replicas, max: autoscale?.max ?? replicas, cpu: autoscale?.cpu ?? 70, resources: own.resources ?? config.profile.resources ?? component.resources };
}

/** Where each routed component answers: its path prefixes on the product's URL, or its own subdomain. */
export function componentUrls(config: Pick<ResolvedConfig, "app" | "url" | "host">): Record<string, string[]> {
  const urls: Record<string, string[]> = {};
  for (const [name, component] of Object.entries(config.app.components)) {
    if (component.port === undefined || component.routes.length === 0) continue;
    urls[name] = component.routes.map((route) => ("path" in route ? `${config.url}${route.path === "/" ? "" : route.path}` : `https://${route.subdomain}.${config.host}`));
  }
  return urls;
}
