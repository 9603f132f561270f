import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { requireExternal, setCommand, type SyncResult } from "../secrets/sync.js";
import type { Snapshot } from "../secrets/store.js";
import { step, willRun, type Blocker, type Observation, type Plan, type PlanStep, type StepRunner, type Unobserved } from "./plan.js";

// The platform flow: secrets synced (external ones required), EKS Pod
// Identity where asked for, then the platform release installed in two
// passes (operators and CRDs first, the local store delivered between
// them) or upgraded when its values changed. Every deploy begins with it.

export interface PlatformObserved {
  /** The cluster in words, or why it could not be reached. */
  target: Observation<string>;
  secrets: Observation<{ missingGenerated: string[]; missingExternal: string[] }>;
  /** The platform release as it is: installed, and the hash of the values it was installed with. */
  release: Observation<{ installed: boolean; hash: string | undefined }>;
  /** The hash the release will carry, and why the chart cannot be installed when its dependencies are missing. */
  wanted: { hash: string; chartsMissing?: string };
}

export interface PlatformSteps {
  steps: PlanStep[];
  unobserved: Unobserved[];
  blockers: Blocker[];
}

function podIdentityWanted(config: ResolvedConfig): boolean {
  const { cluster, secretStore } = config.profile;
  return cluster.type === "eks" && secretStore.type === "aws-secrets-manager" && secretStore.identity === "pod-identity" && secretStore.roleArn !== undefined;
}

export function planPlatformSteps(config: ResolvedConfig, observed: PlatformObserved): PlatformSteps {
  const steps: PlanStep[] = [];
  const unobserved: Unobserved[] = [];
  const blockers: Blocker[] = [];
  if (!observed.target.ok) unobserved.push({ what: "the cluster", why: observed.target.why, ...(observed.target.fix ? { fix: observed.target.fix } : {}) });

  const secrets = observed.secrets;
  if (secrets.ok) {
    const { missingGenerated, missingExternal } = secrets.value;
    steps.push(missingGenerated.length > 0 ? step("secrets.sync", "secrets: sync", "run", `creates ${missingGenerated.join(", ")}`) : step("secrets.sync", "secrets: sync", "skip", "every generated value is present"));
    if (missingExternal.length > 0) {
      blockers.push({ message: `external secret${missingExternal.length > 1 ? "s" : ""} missing in profile ${config.profileName}: ${missingExternal.join(", ")}`, fix: missingExternal.map((n) => setCommand(n, config.profileName)).join("\n") });
    }
  } else {
    unobserved.push({ what: "the secret store", why: secrets.why });
    steps.push(step("secrets.sync", "secrets: sync", "unknown", "the store could not be read"));
  }

  if (podIdentityWanted(config)) {
    steps.push(step("secrets.pod-identity", "secrets: Pod Identity for the External Secrets operator", "run", "creates the association unless it exists"));
  }

  const local = config.profile.secretStore.type === "local";
  const release = observed.release;
  if (!release.ok) {
    unobserved.push({ what: "the platform release", why: release.why });
    steps.push(step("platform.operators", "platform chart: operators and CRDs", "unknown", "installed only when the platform is not"));
    if (local) steps.push(step("secrets.deliver", "secrets: deliver to namespace devstack-secrets", "run"));
    steps.push(step("platform.apply", "platform chart: install or upgrade", "unknown", `skipped when its values hash to ${observed.wanted.hash}`));
  } else {
    const { installed, hash } = release.value;
    steps.push(installed ? step("platform.operators", "platform chart: operators and CRDs", "skip", "installed") : step("platform.operators", "platform chart: operators and CRDs", "run", "first install: operators, CRDs and webhooks first, ready"));
    if (local) steps.push(step("secrets.deliver", "secrets: deliver to namespace devstack-secrets", "run"));
    if (installed && hash === observed.wanted.hash) steps.push(step("platform.apply", "platform chart", "skip", "values unchanged"));
    else steps.push(step("platform.apply", installed ? "platform chart: upgrade" : "platform chart: install", "run", installed ? "values changed" : "first install"));
  }
  const needsChart = steps.some((s) => (s.id === "platform.apply" || s.id === "platform.operators") && s.decision !== "skip");
  if (needsChart && observed.wanted.chartsMissing) {
    blockers.push({
      message: `the platform chart's dependencies cannot be fetched: ${observed.wanted.chartsMissing}`,
      fix: "installing the platform needs the public chart repositories (or a mirror of them); check the network, or unset DEVSTACK_OFFLINE",
    });
  }
  return { steps, unobserved, blockers };
}

export function planPlatform(config: ResolvedConfig, observed: PlatformObserved): Plan {
  const { steps, unobserved, blockers } = planPlatformSteps(config, observed);
  return { flow: "platform", app: config.app.name, profile: config.profileName, target: observed.target.ok ? observed.target.value : "unreachable", steps, unobserved, blockers };
}

/** What the platform steps call: each one call into the secret store, the AWS SDK, helm or the Kubernetes API. */
export interface PlatformExecutors {
  syncSecrets(): Promise<SyncResult>;
  podIdentity(): Promise<void>;
  platformPass(pass: "operators" | "full"): Promise<void>;
  deliverSecrets(snapshot: Snapshot): Promise<void>;
}

export type PlatformOutcome = "installed" | "upgraded" | "unchanged";

/** Carries out the platform part of a plan; returns the synced snapshot and what happened to the release. */
export async function executePlatformSteps(config: ResolvedConfig, plan: Plan, ex: PlatformExecutors, run: StepRunner): Promise<{ sync: SyncResult; platform: PlatformOutcome }> {
  // Sync always runs: with nothing to create it is a read, and it is where a missing external secret is caught.
  const sync = await run("secrets: sync", () => ex.syncSecrets());
  requireExternal(sync, config.profileName);
  const other = plan.blockers.filter((b) => !b.message.startsWith("external secret"));
  if (other.length > 0) throw new DevstackError(other.map((b) => b.message).join("; "), { fix: other.map((b) => b.fix).join("\n") });
  if (willRun(plan, "secrets.pod-identity")) await run("secrets: Pod Identity for the External Secrets operator", () => ex.podIdentity());
  if (willRun(plan, "platform.operators")) await run("platform chart: operators and CRDs", () => ex.platformPass("operators"));
  if (willRun(plan, "secrets.deliver")) await run("secrets: deliver to namespace devstack-secrets", () => ex.deliverSecrets(sync.snapshot));
  const apply = plan.steps.find((s) => s.id === "platform.apply");
  if (apply?.decision === "run") await run(apply.title, () => ex.platformPass("full"));
  const platform: PlatformOutcome = apply?.decision !== "run" ? "unchanged" : willRun(plan, "platform.operators") ? "installed" : "upgraded";
  return { sync, platform };
}
