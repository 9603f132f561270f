import type Docker from "dockerode";
import { extract, pack } from "tar-stream";

// Files go into the stack's containers through the engine's archive API, so
// secrets and generated configs never sit in a container's config (Cmd, Env,
// Labels), where `docker inspect` shows them to anyone with engine access.

export interface FileToPut {
  path: string;
  content: string;
  mode: number;
}

/** Where a container's secret env (NAME) is delivered as a file; NAME_FILE holds this path. */
export const secretFilePath = (name: string) => `/devstack/secrets/${name}`;

function tarOf(files: FileToPut[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const archive = pack();
    const chunks: Buffer[] = [];
    archive.on("data", (c: unknown) => chunks.push(c as Buffer));
    archive.on("end", () => resolve(Buffer.concat(chunks)));
    archive.on("error", reject);
    for (const f of files) archive.entry({ name: f.path.replace(/^\//, ""), mode: f.mode }, f.content);
    archive.finalize();
  });
}

/** Writes files into a container, created or running; an existing file is replaced. */
export async function putFiles(container: Docker.Container, files: FileToPut[]): Promise<void> {
  if (files.length > 0) await container.putArchive(await tarOf(files), { path: "/" });
}

/** A file's content from a container, or undefined when it is not there. */
export async function readContainerFile(container: Docker.Container, path: string): Promise<string | undefined> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await container.getArchive({ path });
  } catch {
    return undefined;
  }
  return new Promise((resolve, reject) => {
    const tar = extract();
    let content: string | undefined;
    tar.on("entry", (_header, entry, next) => {
      const chunks: Buffer[] = [];
      entry.on("data", (c: unknown) => chunks.push(c as Buffer));
      entry.on("end", () => {
        content ??= Buffer.concat(chunks).toString("utf8");
        next();
      });
      entry.resume();
    });
    tar.on("finish", () => resolve(content));
    tar.on("error", reject);
    stream.pipe(tar);
  });
}
