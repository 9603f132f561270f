import type Docker from "dockerode";
import { helm, helmFailure, helmTemplate } from "../charts/helm.js";
import type { ImageRef } from "../charts/image.js";
import { parseManifests, resourceId } from "../charts/manifests.js";
import { KUBE_VERSION } from "../project/names.js";
import { appChart } from "../charts/render.js";
import { webappValues } from "../charts/values.js";
import { diffValues, type Difference } from "../config/diff.js";
import { appNamespace } from "../config/namespace.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { primaryComponent } from "../config/schema/app.js";
import { DevstackError } from "../errors.js";
import { releases } from "./release-ops.js";
import { runningRecord } from "./release-record.js";
import { registryAuth } from "./publish-remote.js";
import { clusterAccess } from "./target.js";

/** The exact image running in a profile, from its newest deployed release record. */
export async function runningImage(source: ResolvedConfig): Promise<{ repository: string; digest: string; revision: number; components?: Record<string, string> }> {
  const access = await clusterAccess(source);
  try {
    const running = runningRecord(await releases(source, access));
    if (!running?.record?.digest) {
      throw new DevstackError(`no release of ${source.app.name} in ${source.profileName} records an image digest`, { fix: `deploy to ${source.profileName} first: \`devstack deploy --profile ${source.profileName}\`` });
    }
    // Every other component's image too: a product is promoted whole, each image by its digest.
    const components = running.record.components;
    const undigested = Object.entries(components ?? {}).filter(([, ref]) => !ref.startsWith("sha256:"));
    if (undigested.length > 0) {
      throw new DevstackError(`the release of ${source.app.name} in ${source.profileName} records no digest for ${undigested.map(([n]) => n).join(", ")}`, { fix: `deploy to ${source.profileName} again (its registry reports digests), then promote`, kind: "not-found" });
    }
    return { repository: running.record.image, digest: running.record.digest, revision: running.release.revision, ...(components ? { components } : {}) };
  } finally {
    access.dispose();
  }
}

function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<{ aux?: { Digest?: string } }[]> {
  return new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (error, output: { error?: string; aux?: { Digest?: string } }[]) => {
      const failed = error ?? output.find((o) => o.error)?.error;
      if (failed) reject(new DevstackError(String((failed as Error).message ?? failed), { kind: "engine" }));
      else resolve(output);
    }),
  );
}

/** The same image in the target's registry, as the plan names it (`to`): pulled by digest, pushed, never rebuilt. */
export async function copyImage(docker: Docker, source: ResolvedConfig, target: ResolvedConfig, from: { repository: string; digest: string }, to: ImageRef): Promise<ImageRef> {
  const { repository, tag } = to;
  try {
    await follow(docker, await docker.pull(`${from.repository}@${from.digest}`, { authconfig: await registryAuth(source, from.repository) }));
    await docker.getImage(`${from.repository}@${from.digest}`).tag({ repo: repository, tag });
    const output = await follow(docker, await docker.getImage(`${repository}:${tag}`).push({ authconfig: await registryAuth(target, repository) }));
    const digest = output.find((o) => o.aux?.Digest)?.aux?.Digest;
    return { repository, tag, ...(digest ? { digest } : {}) };
  } catch (error) {
    throw new DevstackError(`copying ${from.repository}@${from.digest} to ${repository} failed: ${(error as Error).message}`, { fix: "check that this machine can pull from the source registry and push to the target's" });
  }
}

export interface ResourceChange {
  resource: string;
  change: "added" | "removed" | "changed";
  fields: Difference[];
}

/** What a deploy of these values would change against what runs now (helm's stored manifest). */
export async function changesAgainstRunning(target: ResolvedConfig, image: ImageRef, secretsVersion = "", others: Record<string, ImageRef> = {}): Promise<ResourceChange[]> {
  const access = await clusterAccess(target);
  try {
    const current = await helm(["get", "manifest", target.app.name, "--namespace", appNamespace(target), "--kubeconfig", access.kubeconfig, ...(access.context ? ["--kube-context", access.context] : [])]);
    if (current.exitCode !== 0 && !/not found/i.test(current.stderr)) throw helmFailure(`helm get manifest of ${target.app.name}`, current);
    const running = new Map(parseManifests(current.exitCode === 0 ? current.stdout : "").map((r) => [resourceId(r.object), r.object]));
    const next = new Map(
      parseManifests(await helmTemplate({ release: target.app.name, chart: appChart(target), namespace: appNamespace(target), values: webappValues(target, { ...others, [primaryComponent(target.app).name]: image }, { secretsVersion }), kubeVersion: KUBE_VERSION })).map((r) => [resourceId(r.object), r.object]),
    );
    const changes: ResourceChange[] = [];
    for (const id of new Set([...running.keys(), ...next.keys()])) {
      const a = running.get(id);
      const b = next.get(id);
      if (!a) changes.push({ resource: id, change: "added", fields: [] });
      else if (!b) changes.push({ resource: id, change: "removed", fields: [] });
      else {
        const fields = diffValues(a, b);
        if (fields.length > 0) changes.push({ resource: id, change: "changed", fields });
      }
    }
    return changes.sort((x, y) => x.resource.localeCompare(y.resource));
  } finally {
    access.dispose();
  }
}
