import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PLATFORM_NAMESPACE } from "../project/names.js";
import { ESO_SERVICE_ACCOUNT } from "../charts/platform-values.js";
import { applyObjects, kubeConfig } from "../cluster/apply.js";
import { secretsAccessObjects, storeSecretObjects } from "../cluster/secret-objects.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { ensurePodIdentity } from "../deploy/eks.js";
import { applyPlatform, platformState, wantedPlatform, type WantedPlatform } from "../deploy/platform.js";
import { clusterAccess, type ClusterAccess } from "../deploy/target.js";
import { seen, unseen, type Observation, type Plan, type StepRunner } from "../flows/plan.js";
import { executePlatformSteps, planPlatform, type PlatformExecutors, type PlatformObserved, type PlatformOutcome } from "../flows/platform.js";
import { displayName, secretPlan } from "../secrets/model.js";
import { openStore } from "../secrets/open-store.js";
import type { SecretStore, Snapshot } from "../secrets/store.js";
import { isPresent, secretsVersion, syncSecrets } from "../secrets/sync.js";
import { stackId } from "../project/ids.js";
import { stackStateDir } from "../project/paths.js";
import { pebbleApiCa } from "../stack/standins/pebble.js";

// Where the platform flow meets the world. Observers return data, and where
// something cannot be reached they say why instead of failing, so a dry run
// plans on a machine with no cluster or credentials.

/** The first line of a failure, as the reason a state was not observed. */
function why(error: unknown): string {
  return String((error as { message?: string })?.message ?? error).split("\n")[0] as string;
}

export async function observe<T>(work: () => Promise<T>): Promise<Observation<T>> {
  try {
    return seen(await work());
  } catch (error) {
    return unseen(why(error), (error as { fix?: string })?.fix);
  }
}

export interface PlatformWorld {
  observed: PlatformObserved & { secretsVersion: Observation<string> };
  /** Present when the cluster answered; the executors need it. */
  access: ClusterAccess | undefined;
  store: SecretStore | undefined;
  wanted: WantedPlatform;
  dispose(): void;
}

/** The local ACME server's CA, read (not made) on a dry run. */
async function acmeCa(config: ResolvedConfig, dryRun: boolean): Promise<string | undefined> {
  if (config.profile.acme.type !== "local") return undefined;
  if (!dryRun) return (await pebbleApiCa(stackId(config))).cert;
  const file = join(stackStateDir(stackId(config)), "pebble-api-ca.pem");
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}

/**
 * `fresh`: the local cluster is about to be created (up --dry-run on a new
 * machine), so what it will hold is known without asking it: nothing.
 */
export async function observePlatform(config: ResolvedConfig, dryRun: boolean, fresh = false): Promise<PlatformWorld> {
  const target = await observe(() => clusterAccess(config));
  const access = target.ok ? target.value : undefined;
  const store = await openStore(config).catch(() => undefined);
  const snapshot: Observation<Snapshot> = store ? await observe(() => store.read()) : unseen("the secret store could not be opened");
  const plan = secretPlan(config);
  const secrets = snapshot.ok
    ? seen({
        missingGenerated: plan.stored.filter((v) => v.kind === "generate" && !isPresent(snapshot.value, v)).map(displayName),
        missingExternal: plan.stored.filter((v) => v.kind === "external" && !isPresent(snapshot.value, v)).map(displayName),
      })
    : unseen<{ missingGenerated: string[]; missingExternal: string[] }>(snapshot.why);
  // The CA is made only for a run that will install: never by a dry run or for a cluster that is not there.
  const ca = await acmeCa(config, dryRun || !access);
  const wanted = await wantedPlatform(config, ca ? { acmeCaPem: ca } : {});
  const release = access ? await observe(() => platformState(access)) : fresh ? seen({ installed: false, hash: undefined }) : unseen<{ installed: boolean; hash: string | undefined }>(target.ok ? "" : target.why);
  return {
    observed: {
      target: target.ok ? seen(target.value.describe) : fresh ? seen("the local k3s, created by this run") : target,
      secrets,
      release,
      wanted: { hash: wanted.hash, ...(wanted.prepared.skipped.length > 0 ? { chartsMissing: wanted.prepared.reason ?? wanted.prepared.skipped.join(", ") } : {}) },
      secretsVersion: snapshot.ok ? seen(secretsVersion(snapshot.value)) : unseen(snapshot.why),
    },
    access,
    store,
    wanted,
    dispose: () => access?.dispose(),
  };
}

export function platformExecutors(config: ResolvedConfig, world: PlatformWorld, onSecrets?: (snapshot: Snapshot) => void): PlatformExecutors {
  const access = world.access as ClusterAccess;
  return {
    syncSecrets: async () => {
      const result = await syncSecrets(secretPlan(config), world.store ?? (await openStore(config)));
      onSecrets?.(result.snapshot);
      return result;
    },
    podIdentity: async () => {
      const cluster = config.profile.cluster;
      const store = config.profile.secretStore;
      if (cluster.type !== "eks" || store.type !== "aws-secrets-manager" || !store.roleArn) return;
      const { EKSClient } = await import("@aws-sdk/client-eks");
      await ensurePodIdentity(new EKSClient({ region: cluster.region }), { cluster: cluster.name, namespace: PLATFORM_NAMESPACE, serviceAccount: ESO_SERVICE_ACCOUNT, roleArn: store.roleArn });
    },
    platformPass: (pass) => applyPlatform(access, world.wanted, pass),
    deliverSecrets: async (snapshot) => {
      await applyObjects(await kubeConfig(access.kubeconfig, access.context), [...secretsAccessObjects(), ...storeSecretObjects(config.app.name, snapshot, secretsVersion(snapshot))]);
    },
  };
}

/** `devstack platform`: the plan, and unless it is a dry run, the platform installed or upgraded by it. */
export async function runPlatform(config: ResolvedConfig, options: { step: StepRunner; dryRun: boolean; onSecrets?: (snapshot: Snapshot) => void }): Promise<{ plan: Plan; platform?: PlatformOutcome }> {
  const world = options.dryRun ? await observePlatform(config, true) : await options.step(`observe: ${config.profileName}`, () => observePlatform(config, false));
  try {
    const plan = planPlatform(config, world.observed);
    if (options.dryRun) return { plan };
    if (!world.access) throw unreachable(plan);
    const { platform } = await executePlatformSteps(config, plan, platformExecutors(config, world, options.onSecrets), options.step);
    return { plan, platform };
  } finally {
    world.dispose();
  }
}


/** A flow that must reach the cluster, when it could not. */
export function unreachable(plan: Plan): DevstackError {
  const cluster = plan.unobserved.find((u) => u.what === "the cluster");
  return new DevstackError(cluster?.why ?? `cannot reach the cluster of profile ${plan.profile}`, { fix: cluster?.fix ?? "check the profile's cluster settings and your credentials; `--dry-run` shows the plan without it", kind: "network" });
}
