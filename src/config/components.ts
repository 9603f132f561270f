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

/** The replicas and resources of each component in a profile: the profile's own settings override every component's. */
export function componentScale(config: Pick<ResolvedConfig, "app" | "profile">, name: string): { replicas: number; resources: ResolvedConfig["app"]["components"][string]["resources"] } {
  const component = config.app.components[name];
  if (!component) return { replicas: 0, resources: { requests: { cpu: "0", memory: "0" }, limits: { memory: "0" } } };
  return { replicas: config.profile.autoscale?.min ?? config.profile.replicas ?? component.replicas, resources: config.profile.resources ?? component.resources };
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
