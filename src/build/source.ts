import { resolve } from "node:path";
import type { ResolvedConfig } from "../config/resolve.js";
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

/** The app's build inputs and the tag their content hashes to; render, build and publish all name the image by it. */
export async function appSource(config: Pick<ResolvedConfig, "projectDir" | "app">): Promise<Source> {
  const build = config.app.build;
  const context = resolve(config.projectDir, build.context);
  const target = build.target ? { target: build.target } : {};
  const hash = await contextHash(context, build.dockerfile, { ...target, args: build.args });
  return { context, dockerfile: build.dockerfile, ...target, args: build.args, tag: `src-${hash.slice(0, 12)}` };
}
