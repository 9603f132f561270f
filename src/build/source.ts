import { resolve } from "node:path";
import type { ResolvedConfig } from "../config/resolve.js";
import { InternalError } from "../errors.js";
import { primaryComponent } from "../config/schema/app.js";
import { contextHash } from "./context-hash.js";

export interface Source {
  /** The build context directory. */
  context: string;
  dockerfile: string;
  target?: string;
  args: Record<string, string>;
  /** The image tag of these sources: a content hash, so equal sources mean an equal image. */
  tag: string;
}

/** The primary component's build inputs (the image jobs and the migration run). */
export async function appSource(config: Pick<ResolvedConfig, "projectDir" | "app">): Promise<Source> {
  return componentSource(config, primaryComponent(config.app).name);
}

/** Names of the components that build an image of their own, in declared order. */
export function builtComponents(config: Pick<ResolvedConfig, "app">): string[] {
  return Object.entries(config.app.components)
    .filter(([, c]) => c.build)
    .map(([name]) => name);
}

/** How the tag of a build of sources starts: what is not a release's tag, and may be removed once replaced. */
export const SOURCE_TAG_PREFIX = "src-";

/** A component's build inputs and the tag their content hashes to; render, build and publish all name its image by it. */
export async function componentSource(config: Pick<ResolvedConfig, "projectDir" | "app">, name: string): Promise<Source> {
  const build = config.app.components[name]?.build;
  if (!build) throw new InternalError(`component ${name} builds no image`);
  const context = resolve(config.projectDir, build.context);
  const target = build.target ? { target: build.target } : {};
  const hash = await contextHash(context, build.dockerfile, { ...target, args: build.args });
  return { context, dockerfile: build.dockerfile, ...target, args: build.args, tag: `${SOURCE_TAG_PREFIX}${hash.slice(0, 12)}` };
}
