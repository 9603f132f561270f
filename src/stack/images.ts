import type { ProfileConfig } from "../config/schema/profile.js";

export type Component = "k3s" | "registry" | "postgres" | "pebble" | "pebble-challtestsrv" | "smtp" | "object-store";

/**
 * Pinned upstream images, by component; `{version}` is the app's Postgres
 * version. k3s v1.34.3+k3s1 bundles the traefik chart 37.1.1+up37.1.0, which
 * src/charts/traefik-values.ts configures: change them together.
 */
export const DEFAULT_IMAGES: Record<Component, string> = {
  k3s: "docker.io/rancher/k3s:v1.34.3-k3s1",
  registry: "docker.io/library/registry:2.8.3",
  postgres: "docker.io/library/postgres:{version}",
  pebble: "ghcr.io/letsencrypt/pebble:2.8.0",
  "pebble-challtestsrv": "ghcr.io/letsencrypt/pebble-challtestsrv:2.8.0",
  smtp: "docker.io/maildev/maildev:2.2.1",
  "object-store": "docker.io/rustfs/rustfs:1.0.0",
};

/** An override wins; otherwise a mirror replaces the image's registry host. */
export function imageFor(component: Component, images: ProfileConfig["images"], postgresVersion = "16"): string {
  const override = images.overrides[component];
  if (override) return override;
  const image = DEFAULT_IMAGES[component].replace("{version}", postgresVersion);
  if (!images.mirror) return image;
  const path = image.slice(image.indexOf("/") + 1);
  return `${images.mirror.replace(/\/$/, "")}/${path}`;
}
