import type { ProfileConfig } from "../config/schema/profile.js";
import { standIn } from "./standins/index.js";
import { resolveImage, type Component } from "./standins/standin.js";

export type { Component } from "./standins/standin.js";

/**
 * The image a component runs: its stand-in's pinned image (`{version}` is the
 * app's Postgres version) unless the profile overrides or mirrors it. k3s
 * v1.34.3+k3s1 bundles the traefik chart 37.1.1+up37.1.0, which
 * src/charts/traefik-values.ts configures: change them together.
 */
export function imageFor(component: Component, images: ProfileConfig["images"], postgresVersion = "16"): string {
  return resolveImage(standIn(component), images, postgresVersion);
}
