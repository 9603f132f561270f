import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import ignore, { type Ignore } from "ignore";

/** The rules Docker applies to the build context; the Dockerfile and .dockerignore always count. */
function dockerignore(contextDir: string): Ignore {
  const rules = ignore();
  const file = join(contextDir, ".dockerignore");
  if (existsSync(file)) rules.add(readFileSync(file, "utf8"));
  return rules;
}

/** Files of the build context that Docker would send, relative and sorted. */
export async function contextFiles(contextDir: string, rules = dockerignore(contextDir)): Promise<string[]> {
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(contextDir, path).split(sep).join("/");
      if (rules.ignores(entry.isDirectory() ? `${rel}/` : rel)) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() || entry.isSymbolicLink()) files.push(rel);
    }
  }
  await walk(contextDir);
  return files.sort();
}

/**
 * A content hash of what the image is built from: the context files, the
 * Dockerfile, target and build args. Equal hashes mean an equal image, so the
 * hash is the image tag and a rebuild is skipped when it is unchanged.
 */
export async function contextHash(contextDir: string, dockerfile: string, extra: { target?: string; args?: Record<string, string> } = {}): Promise<string> {
  const hash = createHash("sha256");
  const files = await contextFiles(contextDir);
  for (const rel of files) {
    const path = join(contextDir, rel);
    const info = await lstat(path);
    // Mode and link targets are part of the image: a script that loses +x is a different image.
    hash.update(`${rel}\0${info.mode & 0o777}\0`);
    hash.update(info.isSymbolicLink() ? `-> ${await readlink(path)}` : await readFile(path));
    hash.update("\0");
  }
  const dockerfilePath = join(contextDir, dockerfile);
  if (!files.includes(dockerfile) && existsSync(dockerfilePath)) hash.update(await readFile(dockerfilePath));
  hash.update(JSON.stringify({ dockerfile, target: extra.target ?? null, args: Object.entries(extra.args ?? {}).sort() }));
  return hash.digest("hex");
}
