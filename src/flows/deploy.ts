import { imageString, type ImageRef } from "../charts/image.js";
import { webappValues } from "../charts/values.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { configHash, previousRevision, upToDate, type Release, type ReleaseRecord } from "../deploy/release-record.js";
import type { SmokeResult } from "../deploy/smoke.js";
import { secretsVersion } from "../secrets/sync.js";
import { smokeTarget, smokeUrls } from "../config/components.js";
import { primaryComponent } from "../config/schema/app.js";
import { executePlatformSteps, planPlatformSteps, type PlatformExecutors, type PlatformObserved, type PlatformOutcome } from "./platform.js";
import { step, willRun, type Observation, type Plan, type PlanStep, type StepRunner } from "./plan.js";

// One deploy for every profile: the platform flow, then the image (built
// from the sources unless the registry has their tag, or the digest given
// by promote), the release upgraded unless it already runs these values,
// a smoke check through the real ingress, and a rollback when it fails.

/** An image built from sources: its content-hash tag, and the digest the registry has for it (null: none yet). */
interface SourceImage {
  kind: "source";
  repository: string;
  tag: string;
  digest: Observation<string | null>;
}

export interface DeployObserved extends PlatformObserved {
  /** The secrets' version as stored now; the values' hash includes it. */
  secretsVersion: Observation<string>;
  /** The primary component's image (the one jobs and the migration run). */
  image: { kind: "given"; ref: ImageRef } | SourceImage;
  /** The images of the other components that build their own, by component (given ones when promoted). */
  others?: Record<string, DeployObserved["image"]>;
  /** The export image, when scheduled exports run it: whether the registry has this build. */
  tools?: { ref: ImageRef; present: Observation<boolean> };
  releases: Observation<Release[]>;
  git: { commit: string | null; dirty: boolean; by: string };
  chart: { hash: string; name: string };
  now: string;
}

export interface DeployPlan extends Plan {
  flow: "deploy" | "promote";
  /** The image as it will run: the given digest, the registry's for these sources, or the tag to be built. */
  image: string;
  /** The record the new release will carry, when every input of it is known. */
  record: ReleaseRecord | null;
  /** Where a failed smoke check returns to. */
  rollbackTo: number | null;
  url: string;
}

export interface DeployOptions {
  promotedFrom?: string;
}

/** The record a release of these values carries (its configHash decides whether an upgrade is needed). */
export function releaseRecord(config: ResolvedConfig, image: ImageRef, version: string, observed: Pick<DeployObserved, "git" | "chart" | "now">, options: DeployOptions, others: Record<string, ImageRef> = {}): { values: ReturnType<typeof webappValues>; record: ReleaseRecord } {
  const values = webappValues(config, { [primaryComponent(config.app).name]: image, ...others }, { secretsVersion: version });
  return {
    values,
    record: {
      devstack: 1,
      commit: observed.git.commit,
      dirty: observed.git.dirty,
      image: image.repository,
      digest: image.digest ?? null,
      // The chart's files count too: a team's own chart edited without a version bump is still a change.
      configHash: configHash({ values, chart: observed.chart.hash }),
      chart: observed.chart.name,
      by: observed.git.by,
      at: observed.now,
      ...(options.promotedFrom ? { promotedFrom: options.promotedFrom } : {}),
      ...(Object.keys(others).length > 0 ? { components: Object.fromEntries(Object.entries(others).map(([name, ref]) => [name, ref.digest ?? `${ref.repository}:${ref.tag}`])) } : {}),
    },
  };
}

/** Step ids of a component's image: the primary's are image.build and image.push, another's carry its name. */
function imageStepIds(component?: string): { build: string; push: string } {
  return component ? { build: `image.build:${component}`, push: `image.push:${component}` } : { build: "image.build", push: "image.push" };
}

function imageSteps(image: DeployObserved["image"], component?: string): { steps: PlanStep[]; image: ImageRef | undefined; label: string } {
  const ids = imageStepIds(component);
  const of = component ? ` (${component})` : "";
  if (image.kind === "given") {
    const label = imageString(image.ref);
    return { steps: [step(ids.build, `image: build${of}`, "skip", `deploying ${label}`), step(ids.push, `image: push${of}`, "skip", `deploying ${label}`)], image: image.ref, label };
  }
  const ref = `${image.repository}:${image.tag}`;
  if (!image.digest.ok) return { steps: [step(ids.build, `image: build ${ref}${of}`, "unknown", image.digest.why), step(ids.push, `image: push (new layers only)${of}`, "unknown", image.digest.why)], image: undefined, label: ref };
  if (image.digest.value) {
    const found = { repository: image.repository, tag: image.tag, digest: image.digest.value };
    return { steps: [step(ids.build, `image: build ${ref}${of}`, "skip", `sources unchanged: the registry has ${image.tag}`), step(ids.push, `image: push (new layers only)${of}`, "skip", "sources unchanged")], image: found, label: imageString(found) };
  }
  return { steps: [step(ids.build, `image: build ${ref}${of}`, "run", "the registry has no image of these sources"), step(ids.push, `image: push (new layers only)${of}`, "run")], image: undefined, label: ref };
}

/** Whether the release needs an upgrade, decided from what was observed. */
function upgradeStep(config: ResolvedConfig, observed: DeployObserved, image: ImageRef | undefined, options: DeployOptions, others: Record<string, ImageRef> | undefined): { step: PlanStep; record: ReleaseRecord | null; current: Release | undefined } {
  const title = `deploy: helm upgrade --install ${config.app.name}`;
  if (!observed.releases.ok) return { step: step("release.upgrade", title, "unknown", `skipped when the running release has these values; ${observed.releases.why}`), record: null, current: undefined };
  if (observed.secrets.ok && observed.secrets.value.missingGenerated.length > 0) return { step: step("release.upgrade", title, "run", "new secret values"), record: null, current: undefined };
  if (!image || !others) return { step: step("release.upgrade", title, "run", "a new image"), record: null, current: undefined };
  if (!observed.secretsVersion.ok) return { step: step("release.upgrade", title, "unknown", `skipped when the running release has these values; ${observed.secretsVersion.why}`), record: null, current: undefined };
  const { record } = releaseRecord(config, image, observed.secretsVersion.value, observed, options, others);
  const current = upToDate(observed.releases.value, record);
  if (current) return { step: step("release.upgrade", title, "skip", `values and image unchanged: revision ${current.revision} runs them`), record, current };
  return { step: step("release.upgrade", title, "run", observed.releases.value.length === 0 ? "first release" : "values or image changed"), record, current: undefined };
}


export function planDeploy(config: ResolvedConfig, observed: DeployObserved, options: DeployOptions = {}): DeployPlan {
  const platform = planPlatformSteps(config, observed);
  const images = imageSteps(observed.image);
  const otherSteps = Object.entries(observed.others ?? {}).map(([name, image]) => ({ name, ...imageSteps(image, name) }));
  const steps = [...platform.steps, ...images.steps, ...otherSteps.flatMap((o) => o.steps)];
  // Every other image known (in the registry already), or undefined when one is to be built or unknown.
  const others = otherSteps.every((o) => o.image) ? Object.fromEntries(otherSteps.map((o) => [o.name, o.image as ImageRef])) : undefined;
  if (observed.tools) {
    const present = observed.tools.present;
    const title = `export image: ${imageString(observed.tools.ref)}`;
    steps.push(!present.ok ? step("image.tools", title, "unknown", present.why) : present.value ? step("image.tools", title, "skip", "devstack unchanged: the registry has it") : step("image.tools", title, "run", "pack devstack, build, push"));
  }
  const upgrade = upgradeStep(config, observed, images.image, options, others);
  steps.push(upgrade.step);
  steps.push(smokeUrls(config).length > 0 ? step("release.smoke", `smoke: ${smokeTarget(config)}`, "run", "through the real ingress and TLS") : step("release.smoke", "smoke", "skip", "no routed component with an HTTP readiness path to check"));
  let rollbackTo: number | null = null;
  if (upgrade.step.decision !== "skip") {
    if (!observed.releases.ok) {
      steps.push({ ...step("release.rollback", "rollback: to the revision that served before", "unknown", observed.releases.why), onFailureOf: "release.smoke" });
    } else {
      const serving = observed.releases.value.find((r) => r.status === "deployed");
      rollbackTo = serving?.revision ?? null;
      steps.push(
        serving
          ? { ...step("release.rollback", `rollback: to revision ${serving.revision}`, "run", "which keeps serving"), onFailureOf: "release.smoke" }
          : { ...step("release.rollback", "rollback", "skip", "first release: nothing to roll back to"), onFailureOf: "release.smoke" },
      );
    }
    steps.push(step("release.mark", "mark the deploy in Loki", "run", "the dashboards' deploy annotation; best effort"));
  }
  return {
    flow: options.promotedFrom ? "promote" : "deploy",
    app: config.app.name,
    profile: config.profileName,
    target: observed.target.ok ? observed.target.value : "unreachable",
    steps,
    unobserved: [...platform.unobserved, ...[observed.image, ...Object.values(observed.others ?? {})].flatMap((i) => (i.kind === "source" && !i.digest.ok ? [{ what: "the registry", why: i.digest.why }] : [])).slice(0, 1), ...(!observed.releases.ok && observed.target.ok ? [{ what: "the app's releases", why: observed.releases.why }] : [])],
    blockers: platform.blockers,
    image: images.label,
    record: upgrade.record,
    rollbackTo,
    url: config.url,
  };
}

/** What the deploy steps call beyond the platform's: each one call into Docker, helm, the Kubernetes API or HTTP. */
export interface DeployExecutors extends PlatformExecutors {
  /** Builds a component's image (the primary's without a name). */
  build(component?: string): Promise<void>;
  /** Pushes the built image; returns it with the digest the registry reports. */
  push(component?: string): Promise<ImageRef>;
  tools(): Promise<void>;
  upgrade(values: unknown, record: ReleaseRecord): Promise<void>;
  releases(): Promise<Release[]>;
  smoke(): Promise<SmokeResult>;
  /** Why the pods do not answer, in a few lines; empty when it cannot tell. */
  diagnose(): Promise<string>;
  rollback(revision: number): Promise<void>;
  mark(record: ReleaseRecord, revision: number | undefined): Promise<void>;
}

export interface DeployResult {
  profile: string;
  release: string;
  revision: number | undefined;
  image: string;
  url: string;
  smoke: SmokeResult;
  record: ReleaseRecord;
  platform: PlatformOutcome;
  /** True when the running release already had these values: nothing was upgraded. */
  skipped: boolean;
  /** The steps the plan skipped, with why. */
  skippedSteps: string[];
}

/** Follows a deploy plan. Values and the record are computed from what the steps returned (the synced secrets, the pushed digest). */
export async function executeDeploy(config: ResolvedConfig, plan: DeployPlan, observed: DeployObserved, ex: DeployExecutors, run: StepRunner, options: DeployOptions = {}): Promise<DeployResult> {
  if (plan.steps.some((s) => s.decision === "unknown")) {
    throw new DevstackError(`the deploy cannot be planned: ${plan.unobserved.map((u) => `${u.what}: ${u.why}`).join("; ")}`, { fix: "`devstack deploy --dry-run` shows what could not be observed" });
  }
  const { sync, platform } = await executePlatformSteps(config, plan, ex, run);
  let image: ImageRef;
  if (observed.image.kind === "given") image = observed.image.ref;
  else if (willRun(plan, "image.build")) {
    await run(plan.steps.find((s) => s.id === "image.build")?.title ?? "image: build", () => ex.build());
    image = await run("image: push (new layers only)", () => ex.push());
  } else {
    const digest = observed.image.digest.ok ? observed.image.digest.value : null;
    image = { repository: observed.image.repository, tag: observed.image.tag, ...(digest ? { digest } : {}) };
  }
  const others: Record<string, ImageRef> = {};
  for (const [name, other] of Object.entries(observed.others ?? {})) {
    const ids = imageStepIds(name);
    if (willRun(plan, ids.build)) {
      await run(plan.steps.find((s) => s.id === ids.build)?.title ?? `image: build (${name})`, () => ex.build(name));
      others[name] = await run(`image: push (new layers only) (${name})`, () => ex.push(name));
    } else if (other.kind === "given") {
      others[name] = other.ref;
    } else {
      const digest = other.digest.ok ? other.digest.value : null;
      others[name] = { repository: other.repository, tag: other.tag, ...(digest ? { digest } : {}) };
    }
  }
  if (willRun(plan, "image.tools")) await run("export image: pack, build, push", () => ex.tools());

  const { values, record } = releaseRecord(config, image, secretsVersion(sync.snapshot), observed, options, others);
  const skippedSteps = plan.steps.filter((s) => s.decision === "skip" && !s.onFailureOf).map((s) => `${s.title} (${s.reason ?? "unchanged"})`);
  const base = { profile: config.profileName, release: config.app.name, image: imageString(image), url: config.url, platform, skippedSteps };
  const smokeTitle = `smoke: ${smokeTarget(config)}`;
  if (!willRun(plan, "release.upgrade")) {
    const current = observed.releases.ok ? upToDate(observed.releases.value, record) : undefined;
    const result = await run(smokeTitle, () => ex.smoke());
    if (!result.ok) throw new DevstackError(`${smokeTarget(config)} does not answer: ${result.error ?? "no answer"}`, { fix: `\`devstack status\` and \`devstack releases --profile ${config.profileName}\` show what runs` });
    return { ...base, revision: current?.revision, smoke: result, record: current?.record ?? record, skipped: true };
  }
  await run(`deploy: helm upgrade --install ${config.app.name} (${imageString(image)})`, () => ex.upgrade(values, record));
  const after = await ex.releases();
  const revision = after[0]?.revision;
  const result = await run(smokeTitle, () => ex.smoke());
  if (!result.ok) {
    const why = await ex.diagnose().catch(() => "");
    const previous = revision ? previousRevision(after, revision) : undefined;
    if (previous) await run(`rollback: to revision ${previous}`, () => ex.rollback(previous));
    const before = observed.releases.ok ? observed.releases.value : [];
    throw new DevstackError(
      `${smokeTarget(config)} did not answer 2xx (${result.error ?? "no answer"}, ${result.attempts} attempts)${previous ? `; rolled back to revision ${previous}, which keeps serving` : before.length === 0 ? "; this was the first release, nothing to roll back to" : ""}${why ? `\n${why}` : ""}`,
      { fix: `\`devstack logs --profile ${config.profileName} --level error\` and the lines above say why; fix and deploy again`, kind: "failed" },
    );
  }
  await ex.mark(record, revision);
  return { ...base, revision, smoke: result, record, skipped: false };
}
