import type Docker from "dockerode";
import { SOURCE_TAG_PREFIX } from "../build/source.js";

/**
 * The engine's builds of `repository` (build/source.ts tags each by its
 * sources' hash) but those tagged `keep`: each save builds an image of its
 * own, which would pile up on the laptop. The cluster pulls from the
 * registry container, so a rollback needs none of them.
 */
export async function otherBuilds(docker: Docker, repository: string, keep: ReadonlySet<string> = new Set()): Promise<string[]> {
  const prefix = `${repository}:${SOURCE_TAG_PREFIX}`;
  const images = await docker.listImages({ filters: { reference: [`${prefix}*`] } });
  return images.flatMap((image) => (image.RepoTags ?? []).filter((ref) => ref.startsWith(prefix) && !keep.has(ref.slice(repository.length + 1))));
}

/** Removes these tags (an image goes with its last one); one a container still uses, or gone meanwhile, is left. Returns those removed. */
export async function removeImages(docker: Docker, refs: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const ref of refs) {
    try {
      await docker.getImage(ref).remove();
      removed.push(ref);
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 409 && status !== 404) throw error;
    }
  }
  return removed;
}

/**
 * otherBuilds, removed as one step titled by `title(count)` when there are
 * any; returns those removed. `bestEffort`: an engine error removes nothing
 * and fails nothing (housekeeping in a deploy).
 */
export async function removeBuilds(
  docker: Docker,
  repository: string,
  options: { keep?: ReadonlySet<string>; title: (count: number) => string; step: <T>(title: string, work: () => Promise<T>) => Promise<T>; bestEffort?: boolean },
): Promise<string[]> {
  const spare = (error: unknown): string[] => {
    if (options.bestEffort) return [];
    throw error;
  };
  const builds = await otherBuilds(docker, repository, options.keep).catch(spare);
  return builds.length > 0 ? options.step(options.title(builds.length), () => removeImages(docker, builds).catch(spare)) : [];
}
