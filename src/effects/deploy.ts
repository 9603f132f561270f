import { imageRepository, type ImageRef } from "../charts/image.js";
import { appChart } from "../charts/render.js";
import { toolsImage } from "../charts/tools-image.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { buildImage, pushImage, registryDigest } from "../deploy/image.js";
import { ecrDigest, pushWithAuth, registryAuth } from "../deploy/publish-remote.js";
import { chartIdentity, diagnose, gitState, markDeploy, releases, rollbackTo, smoke, upgradeRelease } from "../deploy/release-ops.js";
import { appSource, builtComponents, componentSource, type Source } from "../build/source.js";
import { primaryComponent } from "../config/schema/app.js";
import type { ClusterAccess } from "../deploy/target.js";
import { hasScheduledExports, publishToolsImage } from "../deploy/tools-image.js";
import { executeDeploy, planDeploy, type DeployExecutors, type DeployObserved, type DeployPlan, type DeployResult } from "../flows/deploy.js";
import { seen, unseen, type StepRunner } from "../flows/plan.js";
import type { Snapshot } from "../secrets/store.js";
import { removeBuilds } from "../stack/built-images.js";
import { connectDocker } from "../stack/docker.js";
import { observe, observePlatform, platformExecutors, unreachable, type PlatformWorld } from "./platform.js";

// Where the deploy flow meets the world: observing returns data (and, where
// something cannot be reached, says why instead of failing), executing is
// one call per step.

export interface DeployWorld extends PlatformWorld {
  observed: DeployObserved;
  /** The primary component's sources, and the other built components'. */
  source: Source | undefined;
  sources: Record<string, Source>;
}

/** The digest the profile's registry holds for a tag; null when it has none. */
async function registryHas(config: ResolvedConfig, tag: string): Promise<string | null> {
  if (config.profile.registry.type === "local") {
    const registry = `127.0.0.1:${config.profile.ports.registry}`;
    const digest = await registryDigest(registry, config.app.name, tag).catch((error: unknown) => {
      throw new DevstackError(`the local registry at ${registry} does not answer (${(error as Error).message})`, { fix: "start the local stack: `devstack up`", kind: "engine" });
    });
    return digest ?? null;
  }
  // Only ECR is asked: other registries are pushed to every time (the push sends only new layers).
  return (await ecrDigest(config, tag)) ?? null;
}

/** Everything a deploy decides on, observed without changing anything. */
export async function observeDeploy(config: ResolvedConfig, options: { image?: ImageRef; others?: Record<string, ImageRef>; dryRun: boolean; fresh?: { cluster: boolean; registry: boolean } }): Promise<DeployWorld> {
  const fresh = options.fresh ?? { cluster: false, registry: false };
  const platform = await observePlatform(config, options.dryRun, fresh.cluster);
  const { access } = platform;
  const noCluster = platform.observed.target.ok ? "" : platform.observed.target.why;
  const history = access ? await observe(() => releases(config, access)) : fresh.cluster ? seen([]) : unseen<Awaited<ReturnType<typeof releases>>>(noCluster);
  // A registry this run creates holds nothing yet.
  const inRegistry = (tag: string) => (fresh.registry ? Promise.resolve(null) : registryHas(config, tag));
  let source: Source | undefined;
  let image: DeployObserved["image"];
  const repository = imageRepository(config);
  const others: Record<string, DeployObserved["image"]> = Object.fromEntries(Object.entries(options.others ?? {}).map(([name, ref]) => [name, { kind: "given" as const, ref }]));
  const sources: Record<string, Source> = {};
  if (options.image) image = { kind: "given", ref: options.image };
  else {
    source = await appSource(config);
    image = { kind: "source", repository, tag: source.tag, digest: await observe(() => inRegistry((source as Source).tag)) };
    // The other components that build their own image: one repository, each image named by its sources' hash.
    const primary = primaryComponent(config.app).name;
    for (const name of builtComponents(config).filter((n) => n !== primary)) {
      const own = await componentSource(config, name);
      sources[name] = own;
      others[name] = { kind: "source", repository, tag: own.tag, digest: await observe(() => inRegistry(own.tag)) };
    }
  }
  let tools: DeployObserved["tools"];
  if (hasScheduledExports(config)) {
    const ref = toolsImage(config);
    tools = { ref, present: await observe(async () => (await inRegistry(ref.tag)) !== null) };
  }
  const observed: DeployObserved = {
    ...platform.observed,
    image,
    ...(Object.keys(others).length > 0 ? { others } : {}),
    ...(tools ? { tools } : {}),
    releases: history,
    git: await gitState(config.projectDir),
    chart: await chartIdentity(appChart(config)),
    now: new Date().toISOString(),
  };
  return { ...platform, observed, source, sources };
}

/** The real executors of a deploy: Docker, helm, the Kubernetes API, the AWS SDK and HTTP. */
export function deployExecutors(config: ResolvedConfig, world: DeployWorld, run: StepRunner, options: { smokeTimeoutMs?: number; timeout?: string; onSecrets?: (snapshot: Snapshot) => void } = {}): DeployExecutors {
  const access = world.access as ClusterAccess;
  const repository = imageRepository(config);
  const local = config.profile.registry.type === "local";
  const sourceOf = (component?: string) => (component ? world.sources[component] : world.source) as Source;
  const ref = (component?: string) => `${repository}:${sourceOf(component).tag}`;
  const docker = () => connectDocker();
  // Each save builds an image of its own: every component's current build stays, what earlier saves built goes. Housekeeping: it never fails a deploy.
  const removeEarlierBuilds = async () => {
    const keep = new Set([world.source, ...Object.values(world.sources)].flatMap((s) => (s ? [s.tag] : [])));
    await removeBuilds(await docker(), repository, { keep, step: run, bestEffort: true, title: (n) => `image: remove ${n} earlier build${n === 1 ? "" : "s"} of ${repository}` });
  };
  return {
    ...platformExecutors(config, world, options.onSecrets),
    build: async (component) => {
      // Clusters run linux/amd64 unless told otherwise, whatever the laptop that builds.
      await buildImage(await docker(), { ...sourceOf(component), tag: ref(component), ...(local ? {} : { platform: "linux/amd64" }) });
    },
    push: async (component) => {
      const tag = sourceOf(component).tag;
      if (local) {
        // While the push runs (the save-to-deploy loop waits on it, not on this), earlier builds go.
        const removing = removeEarlierBuilds().catch(() => {});
        await pushImage(await docker(), ref(component));
        await removing;
        const digest = await registryDigest(`127.0.0.1:${config.profile.ports.registry}`, config.app.name, tag);
        return { repository, tag, ...(digest ? { digest } : {}) };
      }
      const digest = await pushWithAuth(await docker(), ref(component), await registryAuth(config, repository));
      return { repository, tag, ...(digest ? { digest } : {}) };
    },
    tools: async () => {
      await publishToolsImage(await docker(), config, run);
    },
    upgrade: (values, record) => upgradeRelease(config, access, appChart(config), values, record, options.timeout),
    releases: () => releases(config, access),
    smoke: () => smoke(config, options.smokeTimeoutMs ?? 3 * 60_000),
    diagnose: () => diagnose(config, access),
    rollback: (revision) => rollbackTo(config, access, revision),
    mark: (record, revision) => markDeploy(config, access, record, revision),
  };
}

export interface DeployRun {
  step: StepRunner;
  /** Deploy exactly this image (promote); otherwise build from the sources. */
  image?: ImageRef;
  promotedFrom?: string;
  timeout?: string;
  smokeTimeoutMs?: number;
  onSecrets?: (snapshot: Snapshot) => void;
  /** Told the plan before anything runs (a dry run prints it and stops). */
  onPlan?: (plan: DeployPlan) => void;
}

/** Observe, plan, carry out: one deploy in any profile. */
export async function runDeploy(config: ResolvedConfig, options: DeployRun): Promise<DeployResult> {
  const world = await options.step(`observe: ${config.profileName}`, () => observeDeploy(config, { ...(options.image ? { image: options.image } : {}), dryRun: false }));
  try {
    const flowOptions = options.promotedFrom ? { promotedFrom: options.promotedFrom } : {};
    const plan = planDeploy(config, world.observed, flowOptions);
    options.onPlan?.(plan);
    if (!world.access) throw unreachable(plan);
    const executors = deployExecutors(config, world, options.step, { ...(options.smokeTimeoutMs ? { smokeTimeoutMs: options.smokeTimeoutMs } : {}), ...(options.timeout ? { timeout: options.timeout } : {}), ...(options.onSecrets ? { onSecrets: options.onSecrets } : {}) });
    return await executeDeploy(config, plan, world.observed, executors, options.step, flowOptions);
  } finally {
    world.dispose();
  }
}

/** The plan a deploy would follow, from what can be observed; nothing changes. */
export async function planDeployDry(config: ResolvedConfig, options: { image?: ImageRef; promotedFrom?: string; fresh?: { cluster: boolean; registry: boolean } } = {}): Promise<DeployPlan> {
  const world = await observeDeploy(config, { ...(options.image ? { image: options.image } : {}), dryRun: true, ...(options.fresh ? { fresh: options.fresh } : {}) });
  try {
    return planDeploy(config, world.observed, options.promotedFrom ? { promotedFrom: options.promotedFrom } : {});
  } finally {
    world.dispose();
  }
}
