import type { Resources } from "./platform-budget.js";
import { splitReference } from "./platform-images.js";

// One Traefik setting, two chart dialects. On EKS the platform installs the
// traefik chart it pins (41.x: `log` / `accessLog`); k3s bundles its own
// chart, configured through a HelmChartConfig, whose version is the one the
// pinned k3s release ships (37.1.1+up37.1.0 in k3s v1.34.3+k3s1, still
// `logs.general` / `logs.access`). Both must write the same JSON lines: the
// dashboards read their fields (src/dashboards) and Alloy's labels.

/** The traefik chart that k3s bundles at the pinned k3s version (k3s-charts build of upstream 37.1.0). */
export const K3S_TRAEFIK_CHART = { version: "37.1.1+up37.1.0", upstream: "37.1.0" } as const;

/** Values for the platform's traefik chart (41.x). */
export function traefikChartValues(resources: Resources) {
  return {
    log: { format: "json" },
    accessLog: { enabled: true, format: "json" },
    resources,
  };
}

/**
 * valuesContent of the HelmChartConfig for k3s's bundled traefik chart
 * (37.x). A mirror reaches its image through k3s's --system-default-registry;
 * an `images.overrides.traefik` replaces it here, as the platform's.
 */
export function k3sTraefikValues(resources: Resources, override?: string) {
  const image = override ? splitReference(override) : undefined;
  const slash = image ? image.repository.lastIndexOf("/") : -1;
  return {
    logs: { general: { format: "json" }, access: { enabled: true, format: "json" } },
    resources,
    ...(image ? { image: { registry: image.repository.slice(0, slash), repository: image.repository.slice(slash + 1), ...(image.tag ? { tag: image.tag } : {}) } } : {}),
  };
}
