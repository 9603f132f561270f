import { join, resolve } from "node:path";
import { appNamespace } from "../config/namespace.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { appSource, builtComponents, componentSource } from "../build/source.js";
import { primaryComponent } from "../config/schema/app.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { helmTemplate, templateArgs, valuesYaml } from "./helm.js";
import { resolveHelm } from "./helm-binary.js";
import { imageRepository, type ImageRef } from "./image.js";
import { parseManifests, type RenderedResource } from "./manifests.js";
import { KUBE_VERSION, PLATFORM_NAMESPACE, PLATFORM_RELEASE } from "../project/names.js";
import { prepareChart } from "./dependencies.js";
import { platformValues, type PlatformInputs } from "./platform-values.js";
import { crdSchemas } from "./crd-schema.js";
import { validateManifestsDetailed, type ValidationOptions, type ValidationProblem } from "./validate.js";
import { webappValues } from "./values.js";
import type { WebappValues } from "./webapp-values.js";

export const WEBAPP_CHART = join(PACKAGE_ROOT, "charts", "webapp");
export const PLATFORM_CHART = join(PACKAGE_ROOT, "charts", "platform");

export interface ChartRender {
  release: string;
  chart: string;
  namespace: string;
  values: unknown;
  resources: RenderedResource[];
  problems: ValidationProblem[];
  /** Custom resources checked without the CRD that defines them (its chart could not be had here). */
  withoutCrd: string[];
  /** Chart dependencies that could not be vendored here, and why (e.g. an unreachable chart repository). */
  skipped: { dependencies: string[]; reason: string } | undefined;
  ms: { values: number; helm: number; validate: number };
}

/** The primary component's image a render refers to: the deploy's digest when known, else the tag of the current sources. */
export async function renderImage(config: ResolvedConfig, override?: Partial<ImageRef>): Promise<ImageRef> {
  const repository = override?.repository ?? imageRepository(config);
  if (override?.tag || override?.digest) return { repository, tag: override.tag ?? "pinned", ...(override.digest ? { digest: override.digest } : {}) };
  return { repository, tag: (await appSource(config)).tag };
}

interface Templated {
  release: string;
  chart: string;
  namespace: string;
  values: unknown;
  resources: RenderedResource[];
  skipped: ChartRender["skipped"];
  ms: { values: number; helm: number };
}

async function templateChart(release: string, chart: string, namespace: string, values: unknown, valuesMs: number, skipped?: ChartRender["skipped"]): Promise<Templated> {
  const t1 = performance.now();
  const options = { release, chart, namespace, values, kubeVersion: KUBE_VERSION };
  const { cachedTemplate, storeTemplate, templateKey } = await import("./template-cache.js");
  const key = templateKey(chart, templateArgs(options), valuesYaml(values), (await resolveHelm()).version);
  let resources = cachedTemplate(key);
  if (!resources) {
    resources = parseManifests(await helmTemplate(options));
    await storeTemplate(key, resources);
  }
  return { release, chart, namespace, values, resources, skipped, ms: { values: valuesMs, helm: performance.now() - t1 } };
}

async function validated(t: Templated, options: ValidationOptions = {}): Promise<ChartRender> {
  const t0 = performance.now();
  const { problems, withoutCrd } = await validateManifestsDetailed(t.resources.map((r) => r.object), options);
  return { ...t, problems, withoutCrd, ms: { ...t.ms, validate: performance.now() - t0 } };
}

/**
 * One image per component that builds its own, keyed by component name: the
 * primary's is the one given (the deploy's digest or `--image`); every other
 * is its sources' tag in the same repository.
 */
async function componentImages(config: ResolvedConfig, primary: ImageRef): Promise<Record<string, ImageRef>> {
  const primaryName = primaryComponent(config.app).name;
  const entries = await Promise.all(
    builtComponents(config).map(async (name): Promise<[string, ImageRef]> => [name, name === primaryName ? primary : { repository: primary.repository, tag: (await componentSource(config, name)).tag }]),
  );
  return Object.fromEntries(entries);
}

async function templateWebapp(config: ResolvedConfig, image: ImageRef): Promise<Templated> {
  const t0 = performance.now();
  const values: WebappValues = webappValues(config, await componentImages(config, image));
  return templateChart(config.app.name, appChart(config), appNamespace(config), values, performance.now() - t0);
}

/** charts/webapp, or the team's own chart named in devstack.yaml (same values contract). */
export function appChart(config: ResolvedConfig): string {
  return config.app.chart ? resolve(config.projectDir, config.app.chart) : WEBAPP_CHART;
}

/**
 * Both charts of a profile, as `devstack render` and `devstack diff` see them.
 * The app's custom resources (ExternalSecrets) are checked against the CRDs
 * the platform renders.
 */
export async function renderProfile(config: ResolvedConfig, image: ImageRef, inputs: PlatformInputs = {}): Promise<ChartRender[]> {
  const [platform, webapp] = await Promise.all([templatePlatform(config, inputs), templateWebapp(config, image)]);
  const checkedPlatform = await validated(platform);
  return [checkedPlatform, await validated(webapp, { crds: crdSchemas(platform.resources.map((r) => r.object)) })];
}

/** Parses `--image repo:tag` or `repo@sha256:...`. */
export function parseImageOption(text: string): Partial<ImageRef> {
  const at = text.indexOf("@");
  if (at > 0) return { repository: text.slice(0, at), digest: text.slice(at + 1) };
  const colon = text.lastIndexOf(":");
  if (colon > text.lastIndexOf("/")) return { repository: text.slice(0, colon), tag: text.slice(colon + 1) };
  return { repository: text };
}

async function templatePlatform(config: ResolvedConfig, inputs: PlatformInputs): Promise<Templated> {
  const t0 = performance.now();
  const values = platformValues(config, inputs);
  const valuesMs = performance.now() - t0;
  const prepared = await prepareChart(PLATFORM_CHART);
  const skipped = prepared.skipped.length > 0 ? { dependencies: prepared.skipped, reason: prepared.reason ?? "unavailable" } : undefined;
  return templateChart(PLATFORM_RELEASE, prepared.dir, PLATFORM_NAMESPACE, values, valuesMs, skipped);
}

