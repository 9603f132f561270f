import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** src/ and dist/ both sit one level below the package root. */
export const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
