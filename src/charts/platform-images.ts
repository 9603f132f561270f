// Every image the platform's subcharts run, where each chart takes it, and
// how a profile's `images.mirror` or `images.overrides.<name>` reaches it.
// Air-gapped and rate-limited users need every one of them moved, so
// `npm run verify:platform` renders with a mirror and fails on any image
// the table does not move. Repositories are the charts' defaults at their
// pinned versions; tags stay the charts' own unless an override sets one.

export interface PlatformImage {
  /** The key under `images.overrides` (shared by the entries of one image). */
  name: string;
  chart: string;
  /** The chart's default repository, with its registry (docker.io/library/ for official images). */
  upstream: string;
  /** `repository` holds the whole repository; with `registry`, the chart joins registry + "/" + repository. */
  keys: { repository: string[]; registry?: string[]; tag: string[] };
}

export const PLATFORM_IMAGES: PlatformImage[] = [
  { name: "cert-manager-controller", chart: "cert-manager", upstream: "quay.io/jetstack/cert-manager-controller", keys: { repository: ["image", "repository"], tag: ["image", "tag"] } },
  { name: "cert-manager-webhook", chart: "cert-manager", upstream: "quay.io/jetstack/cert-manager-webhook", keys: { repository: ["webhook", "image", "repository"], tag: ["webhook", "image", "tag"] } },
  { name: "cert-manager-cainjector", chart: "cert-manager", upstream: "quay.io/jetstack/cert-manager-cainjector", keys: { repository: ["cainjector", "image", "repository"], tag: ["cainjector", "image", "tag"] } },
  { name: "cert-manager-acmesolver", chart: "cert-manager", upstream: "quay.io/jetstack/cert-manager-acmesolver", keys: { repository: ["acmesolver", "image", "repository"], tag: ["acmesolver", "image", "tag"] } },
  { name: "cert-manager-startupapicheck", chart: "cert-manager", upstream: "quay.io/jetstack/cert-manager-startupapicheck", keys: { repository: ["startupapicheck", "image", "repository"], tag: ["startupapicheck", "image", "tag"] } },
  { name: "traefik", chart: "traefik", upstream: "docker.io/library/traefik", keys: { registry: ["image", "registry"], repository: ["image", "repository"], tag: ["image", "tag"] } },
  { name: "external-secrets", chart: "external-secrets", upstream: "ghcr.io/external-secrets/external-secrets", keys: { repository: ["image", "repository"], tag: ["image", "tag"] } },
  { name: "external-secrets", chart: "external-secrets", upstream: "ghcr.io/external-secrets/external-secrets", keys: { repository: ["webhook", "image", "repository"], tag: ["webhook", "image", "tag"] } },
  { name: "external-secrets", chart: "external-secrets", upstream: "ghcr.io/external-secrets/external-secrets", keys: { repository: ["certController", "image", "repository"], tag: ["certController", "image", "tag"] } },
  { name: "loki", chart: "loki", upstream: "docker.io/grafana/loki", keys: { registry: ["loki", "image", "registry"], repository: ["loki", "image", "repository"], tag: ["loki", "image", "tag"] } },
  { name: "loki-sidecar", chart: "loki", upstream: "docker.io/kiwigrid/k8s-sidecar", keys: { registry: ["sidecar", "image", "registry"], repository: ["sidecar", "image", "repository"], tag: ["sidecar", "image", "tag"] } },
  { name: "alloy", chart: "alloy", upstream: "docker.io/grafana/alloy", keys: { registry: ["image", "registry"], repository: ["image", "repository"], tag: ["image", "tag"] } },
  { name: "alloy-config-reloader", chart: "alloy", upstream: "quay.io/prometheus-operator/prometheus-config-reloader", keys: { registry: ["configReloader", "image", "registry"], repository: ["configReloader", "image", "repository"], tag: ["configReloader", "image", "tag"] } },
  { name: "grafana", chart: "grafana", upstream: "docker.io/grafana/grafana", keys: { registry: ["image", "registry"], repository: ["image", "repository"], tag: ["image", "tag"] } },
  { name: "alertmanager", chart: "alertmanager", upstream: "quay.io/prometheus/alertmanager", keys: { repository: ["image", "repository"], tag: ["image", "tag"] } },
];

// The operator, its webhook and its cert controller run one image: one name moves all three.
export const PLATFORM_IMAGE_NAMES = [...new Set(PLATFORM_IMAGES.map((i) => i.name))];

/** A mirror replaces the registry host and keeps the path, as for the stand-in images. */
export function mirrored(upstream: string, mirror: string): string {
  return `${mirror.replace(/\/$/, "")}/${upstream.slice(upstream.indexOf("/") + 1)}`;
}

/** Splits `repo[:tag][@digest]`; the tag part keeps a digest (`v1@sha256:…`), which every chart here appends after `:`. */
export function splitReference(ref: string): { repository: string; tag?: string } {
  const slash = ref.lastIndexOf("/");
  const at = ref.indexOf("@");
  const nameEnd = at >= 0 ? at : ref.length;
  const colon = ref.lastIndexOf(":", nameEnd);
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return at >= 0 ? { repository: ref.slice(0, at), tag: `latest${ref.slice(at)}` } : { repository: ref };
}

function set(values: Record<string, Record<string, unknown>>, chart: string, path: string[], value: unknown): void {
  let node = (values[chart] ??= {});
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path.at(-1) as string] = value;
}

/** Subchart values moving the platform's images to the profile's mirror or overrides; empty when neither is set. */
export function platformImageValues(images: { mirror?: string | undefined; overrides: Partial<Record<string, string>> }): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const image of PLATFORM_IMAGES) {
    const override = images.overrides[image.name];
    const target = override ? splitReference(override) : images.mirror ? { repository: mirrored(image.upstream, images.mirror) } : undefined;
    if (!target) continue;
    if (image.keys.registry) {
      const slash = target.repository.lastIndexOf("/");
      set(values, image.chart, image.keys.registry, target.repository.slice(0, slash));
      set(values, image.chart, image.keys.repository, target.repository.slice(slash + 1));
    } else {
      set(values, image.chart, image.keys.repository, target.repository);
    }
    if (target.tag) set(values, image.chart, image.keys.tag, target.tag);
  }
  return values;
}
