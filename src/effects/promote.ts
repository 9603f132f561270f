import { imageRepository, type ImageRef } from "../charts/image.js";
import { diffValues } from "../config/diff.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { configView } from "../config/view.js";
import { changesAgainstRunning, copyImage, runningImage } from "../deploy/promote.js";
import { executePromote, planPromote, promotedImage, promotedOthers, type PromoteObserved, type PromotePlan } from "../flows/promote.js";
import { unseen, type StepRunner } from "../flows/plan.js";
import type { DeployResult } from "../flows/deploy.js";
import type { Snapshot } from "../secrets/store.js";
import { connectDocker } from "../stack/docker.js";
import { deployExecutors, observeDeploy, type DeployWorld } from "./deploy.js";
import { observe, unreachable } from "./platform.js";

export interface PromoteWorld {
  observed: PromoteObserved;
  deploy: DeployWorld;
  dispose(): void;
}

/** Both profiles observed: the image running in the source, the target as a deploy of it, what would change. Nothing is copied. */
export async function observePromote(source: ResolvedConfig, target: ResolvedConfig, dryRun: boolean): Promise<PromoteWorld> {
  const from = await observe(() => runningImage(source));
  const repository = imageRepository(target);
  // Until the source answers, the target is observed for an image of unknown digest.
  const image = from.ok ? promotedImage(repository, from.value) : { repository, tag: "promoted" };
  const deploy = await observeDeploy(target, { image, ...(from.ok ? { others: promotedOthers(repository, from.value) } : {}), dryRun });
  const version = deploy.observed.secretsVersion;
  const changes =
    from.ok && deploy.access && version.ok
      ? await observe(() => changesAgainstRunning(target, image, version.value, promotedOthers(repository, from.value)))
      : unseen<Awaited<ReturnType<typeof changesAgainstRunning>>>(!from.ok ? from.why : !deploy.access ? "the target cluster could not be reached" : "the target's secrets could not be read");
  const configDifferences = diffValues(configView(source), configView(target), (p) => p === "profile.file" || p === "profile.source").length;
  return { observed: { from, target: deploy.observed, changes, configDifferences }, deploy, dispose: () => deploy.dispose() };
}

export function planPromoteFrom(source: ResolvedConfig, target: ResolvedConfig, world: PromoteWorld): PromotePlan {
  return planPromote(source, target, world.observed);
}

/** Carries out a plan the user accepted. */
export async function executePromoteIn(source: ResolvedConfig, target: ResolvedConfig, world: PromoteWorld, plan: PromotePlan, options: { step: StepRunner; onSecrets?: (snapshot: Snapshot) => void }): Promise<DeployResult> {
  // The source comes first: without its running digest there is nothing to promote.
  if (!world.observed.from.ok) throw new DevstackError(world.observed.from.why, { fix: world.observed.from.fix ?? `deploy to ${source.profileName} first: \`devstack deploy --profile ${source.profileName}\``, kind: "not-found" });
  if (!world.deploy.access) throw unreachable(plan);
  const executors = { ...deployExecutors(target, world.deploy, options.step, options.onSecrets ? { onSecrets: options.onSecrets } : {}), copy: async (from: { repository: string; digest: string }, to: ImageRef) => copyImage(await connectDocker(), source, target, from, to) };
  return executePromote(target, plan, world.observed, executors, options.step);
}
