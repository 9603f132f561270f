import { lstat, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import type Docker from "dockerode";
import { pack } from "tar-stream";
import { DevstackError } from "../errors.js";
import { contextFiles } from "../build/context-hash.js";

async function contextTar(dir: string): Promise<NodeJS.ReadableStream> {
  const archive = pack();
  const files = await contextFiles(dir);
  (async () => {
    for (const rel of files) {
      const path = join(dir, rel);
      const info = await lstat(path);
      if (info.isSymbolicLink()) archive.entry({ name: rel, type: "symlink", linkname: await readlink(path) });
      else archive.entry({ name: rel, mode: info.mode & 0o777, mtime: new Date(0) }, await readFile(path));
    }
    archive.finalize();
  })().catch((error: unknown) => archive.destroy(error as Error));
  return archive as unknown as NodeJS.ReadableStream;
}

function follow(docker: Docker, stream: NodeJS.ReadableStream, what: string, onLine?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (error, output: { error?: string; errorDetail?: { message?: string } }[]) => {
        const failed = error ?? output.find((o) => o.error)?.error;
        if (failed) reject(new DevstackError(`${what} failed: ${String((failed as Error).message ?? failed)}`));
        else resolve();
      },
      (event: { stream?: string; status?: string }) => onLine?.((event.stream ?? event.status ?? "").trimEnd()),
    ),
  );
}

/**
 * Builds the app image through the Engine API (the classic builder works on
 * every engine). No build-time labels: the classic builder commits each one
 * as a step of its own after the last cached layer, which a save pays for.
 */
export async function buildImage(docker: Docker, options: { context: string; dockerfile: string; target?: string; args: Record<string, string>; tag: string; platform?: string; onLine?: (line: string) => void }): Promise<void> {
  const stream = await docker.buildImage(await contextTar(options.context), {
    t: options.tag,
    dockerfile: options.dockerfile,
    ...(options.target ? { target: options.target } : {}),
    buildargs: options.args,
    ...(options.platform ? { platform: options.platform } : {}),
    rm: true,
  });
  await follow(docker, stream, `building ${options.tag}`, options.onLine);
}

/** Pushes a tag; the registry receives only the layers it does not have. */
export async function pushImage(docker: Docker, tag: string): Promise<void> {
  // The Engine API wants an X-Registry-Auth header even for a registry without auth.
  const serveraddress = tag.split("/")[0] as string;
  const stream = await docker.getImage(tag).push({ authconfig: { serveraddress } });
  await follow(docker, stream, `pushing ${tag}`);
}

/** The digest the registry serves for a tag, or undefined when it does not have it. */
export async function registryDigest(registry: string, repository: string, tag: string): Promise<string | undefined> {
  const res = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
    method: "HEAD",
    headers: {
      accept: [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
      ].join(", "),
    },
  });
  return res.ok ? (res.headers.get("docker-content-digest") ?? undefined) : undefined;
}
