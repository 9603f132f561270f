import type Docker from "dockerode";
import { imageRepository } from "../charts/image.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { componentSource } from "../build/source.js";
import { primaryComponent } from "../config/schema/app.js";
import { buildImage, pushImage, registryDigest } from "./image.js";

export interface Published {
  repository: string;
  tag: string;
  digest: string | undefined;
  /** False when the registry already had this content: build and push were skipped. */
  built: boolean;
  ms: { hash: number; build: number; push: number };
}

/**
 * Build → publish one component's image to the local registry, skipped when
 * the registry already has the image of these exact sources (the tag is
 * their content hash). Without a component: the primary's.
 */
export async function buildAndPublishLocal(docker: Docker, config: ResolvedConfig, options: { step?: <T>(title: string, work: () => Promise<T>) => Promise<T>; component?: string } = {}): Promise<Published> {
  const step = options.step ?? (<T>(_title: string, work: () => Promise<T>) => work());
  const t0 = performance.now();
  const source = await componentSource(config, options.component ?? primaryComponent(config.app).name);
  const { tag } = source;
  const repository = imageRepository(config);
  const registry = `127.0.0.1:${config.profile.ports.registry}`;
  const t1 = performance.now();
  const existing = await registryDigest(registry, config.app.name, tag);
  if (existing) return { repository, tag, digest: existing, built: false, ms: { hash: t1 - t0, build: 0, push: 0 } };
  await step(`image: build ${repository}:${tag}`, () => buildImage(docker, { ...source, tag: `${repository}:${tag}` }));
  const t2 = performance.now();
  await step("image: push (new layers only)", () => pushImage(docker, `${repository}:${tag}`));
  const t3 = performance.now();
  return { repository, tag, digest: await registryDigest(registry, config.app.name, tag), built: true, ms: { hash: t1 - t0, build: t2 - t1, push: t3 - t2 } };
}
