import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedConfig } from "../config/resolve.js";
import { PACKAGE_ROOT, packageVersion } from "../package-root.js";
import { imageRepository, type ImageRef } from "./image.js";

let cached: string | undefined;

/**
 * The tag of the devstack image that export CronJobs run: the version, and a
 * hash of the built code, so a changed devstack (even unreleased) gets a new
 * image and an unchanged one is never rebuilt.
 */
function toolsImageTag(): string {
  if (cached) return cached;
  const hash = createHash("sha256");
  hash.update(readFileSync(join(PACKAGE_ROOT, "package.json")));
  const dist = join(PACKAGE_ROOT, "dist");
  for (const file of (readdirSync(dist, { recursive: true, encoding: "utf8" }) as string[]).filter((f) => f.endsWith(".js")).sort()) {
    hash.update(file).update(readFileSync(join(dist, file)));
  }
  cached = `devstack-${packageVersion()}-${hash.digest("hex").slice(0, 12)}`;
  return cached;
}

/** Kept in the app's own repository under a devstack- tag: no second repository to create or grant. */
export function toolsImage(config: ResolvedConfig): ImageRef {
  return { repository: imageRepository(config), tag: toolsImageTag() };
}
