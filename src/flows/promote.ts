import type { ImageRef } from "../charts/image.js";
import type { ResolvedConfig } from "../config/resolve.js";
import type { ResourceChange } from "../deploy/promote.js";
import { executeDeploy, planDeploy, type DeployExecutors, type DeployObserved, type DeployPlan, type DeployResult } from "./deploy.js";
import { step, type Observation, type PlanStep, type StepRunner } from "./plan.js";

// Promote: the exact image running in one profile, copied by digest into
// the target's registry (never rebuilt) and deployed there by the deploy
// flow. Everything is observed and shown first; nothing is copied or
// deployed until the user says yes.

export interface RunningImage {
  repository: string;
  digest: string;
  revision: number;
  /** The other components' digests, in the same repository. */
  components?: Record<string, string>;
}

export interface PromoteObserved {
  from: Observation<RunningImage>;
  /** The target observed as a deploy of the promoted image. */
  target: DeployObserved;
  /** What the deploy would change against what runs in the target now. */
  changes: Observation<ResourceChange[]>;
  /** Config values that differ between the two profiles (their count is shown). */
  configDifferences: number;
}

export interface PromotePlan extends DeployPlan {
  flow: "promote";
  source: string;
  from: RunningImage | null;
  /** The image as the target will run it. */
  to: ImageRef | null;
  changes: ResourceChange[] | null;
  configDifferences: number;
}

/** The image in the target's registry: the same digest, a tag that names it. */
export function promotedImage(targetRepository: string, from: Pick<RunningImage, "repository" | "digest">): ImageRef {
  if (targetRepository === from.repository) return { repository: targetRepository, tag: "promoted", digest: from.digest };
  return { repository: targetRepository, tag: `promoted-${from.digest.slice("sha256:".length, "sha256:".length + 12)}`, digest: from.digest };
}

/** The other components' images in the target's registry, by component. */
export function promotedOthers(targetRepository: string, from: RunningImage): Record<string, ImageRef> {
  return Object.fromEntries(Object.entries(from.components ?? {}).map(([name, digest]) => [name, promotedImage(targetRepository, { repository: from.repository, digest })]));
}

export function planPromote(source: ResolvedConfig, target: ResolvedConfig, observed: PromoteObserved): PromotePlan {
  const deploy = planDeploy(target, observed.target, { promotedFrom: source.profileName });
  const repository = observed.target.image.kind === "given" ? observed.target.image.ref.repository : "";
  let copy: PlanStep;
  let to: ImageRef | null = null;
  const unobserved = [...deploy.unobserved];
  if (!observed.from.ok) {
    copy = step("image.copy", `image: copy from ${source.profileName} by digest`, "unknown", observed.from.why);
    unobserved.unshift({ what: `the image running in ${source.profileName}`, why: observed.from.why, ...(observed.from.fix ? { fix: observed.from.fix } : {}) });
  } else {
    to = promotedImage(repository, observed.from.value);
    copy =
      to.repository === observed.from.value.repository
        ? step("image.copy", "image: copy", "skip", `${source.profileName} and ${target.profileName} share the registry`)
        : step("image.copy", `image: copy ${observed.from.value.repository}@${observed.from.value.digest} to ${to.repository}:${to.tag}`, "run", "pulled by digest and pushed, never rebuilt");
  }
  // Without the source's digest the record, and so the upgrade decision, cannot be known.
  const copies = observed.from.ok ? Object.entries(promotedOthers(repository, observed.from.value)).map(([name, ref]) => step(`image.copy:${name}`, `image: copy ${observed.from.ok ? observed.from.value.repository : ""}@${ref.digest} to ${ref.repository}:${ref.tag} (${name})`, copy.decision, copy.reason)) : [];
  const steps = deploy.steps
    .filter((s) => !s.id.startsWith("image.build") && !s.id.startsWith("image.push"))
    .map((s) => (!observed.from.ok && (s.id === "release.upgrade" || s.id === "release.rollback") && s.decision !== "unknown" ? { ...s, decision: "unknown" as const, reason: observed.from.why } : s));
  const at = steps.findIndex((s) => s.id.startsWith("image.") || s.id.startsWith("release."));
  steps.splice(at < 0 ? steps.length : at, 0, copy, ...copies);
  if (!observed.changes.ok && observed.target.target.ok) unobserved.push({ what: `what runs in ${target.profileName}`, why: observed.changes.why });
  return {
    ...deploy,
    flow: "promote",
    steps,
    unobserved,
    image: to ? `${to.repository}@${to.digest}` : `the digest running in ${source.profileName}`,
    record: observed.from.ok ? deploy.record : null,
    source: source.profileName,
    from: observed.from.ok ? observed.from.value : null,
    to,
    changes: observed.changes.ok ? observed.changes.value : null,
    configDifferences: observed.configDifferences,
  };
}

export interface PromoteExecutors extends DeployExecutors {
  /** Pulls the source digest, tags and pushes it; returns the image as the target registry reports it. */
  copy(from: Pick<RunningImage, "repository" | "digest">, to: ImageRef): Promise<ImageRef>;
}

/** Carries out a promote plan the user accepted: the copy, then the deploy of exactly that digest. */
export async function executePromote(target: ResolvedConfig, plan: PromotePlan, observed: PromoteObserved, ex: PromoteExecutors, run: StepRunner): Promise<DeployResult> {
  const from = plan.from;
  let image = plan.to;
  if (from && image && plan.steps.find((s) => s.id === "image.copy")?.decision === "run") {
    const wanted = image;
    image = await run("image: copy by digest (never rebuilt)", () => ex.copy(from, wanted));
  }
  // The other components' digests, copied the same way.
  const others: Record<string, ImageRef> = {};
  for (const [name, wanted] of Object.entries(from && plan.to ? promotedOthers(plan.to.repository, from) : {})) {
    const decision = plan.steps.find((s) => s.id === `image.copy:${name}`)?.decision;
    others[name] = decision === "run" && from ? await run(`image: copy by digest (${name})`, () => ex.copy({ repository: from.repository, digest: wanted.digest as string }, wanted)) : wanted;
  }
  const deployObserved: DeployObserved = image ? { ...observed.target, image: { kind: "given", ref: image }, ...(Object.keys(others).length > 0 ? { others: Object.fromEntries(Object.entries(others).map(([n, ref]) => [n, { kind: "given" as const, ref }])) } : {}) } : observed.target;
  return executeDeploy(target, { ...plan, flow: "deploy" }, deployObserved, ex, run, { promotedFrom: plan.source });
}
