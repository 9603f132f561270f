import { goYaml } from "../config/go-yaml.js";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { DevstackError } from "../errors.js";
import { maskSecretData, resourceFileName } from "./manifests.js";
import type { ChartRender } from "./render.js";

const MARKER = ".devstack-render";

export interface WrittenFile {
  release: string;
  kind: string;
  name: string;
  file: string;
}

/**
 * Writes one file per resource under DIR/<release>/, plus each release's
 * values. The whole directory is built beside DIR and swapped in, so an
 * interrupted render leaves the previous output whole; a directory that was
 * not made by devstack is never replaced.
 */
export function writeRender(outDir: string, renders: ChartRender[]): WrittenFile[] {
  const target = resolve(outDir);
  if (existsSync(target) && readdirSync(target).length > 0 && !existsSync(join(target, MARKER))) {
    throw new DevstackError(`${outDir} exists and was not written by devstack render; nothing was changed`, {
      fix: "choose an empty or new directory for --out",
    });
  }
  mkdirSync(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const written: WrittenFile[] = [];
  try {
    writeFileSync(join(staging, MARKER), "written by `devstack render`; replaced on the next render\n");
    for (const render of renders) {
      const dir = join(staging, render.release);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(staging, `${render.release}.values.yaml`), goYaml(render.values));
      for (const resource of render.resources) {
        const file = resourceFileName(resource.object);
        writeFileSync(join(dir, file), `# Source: ${resource.source}\n${goYaml(maskSecretData(resource.object))}`);
        written.push({ release: render.release, kind: resource.object.kind, name: resource.object.metadata.name, file: join(outDir, render.release, file) });
      }
    }
    const old = `${staging}.old`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(staging, target);
    rmSync(old, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return written;
}
