import { execFile } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type Docker from "dockerode";
import type { ImageRef } from "../charts/image.js";
import { toolsImage } from "../charts/tools-image.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { buildImage, pushImage, registryDigest } from "./image.js";
import { ecrDigest, pushWithAuth, registryAuth } from "./publish-remote.js";

/**
 * The devstack image: this very package, installed from its packed tarball
 * (so it is exactly the code that rendered the CronJobs), dependencies from
 * the npm registry. Scripts stay off: nothing devstack needs compiles.
 */
const TOOLS_DOCKERFILE = `FROM node:22-bookworm-slim
COPY devstack.tgz /tmp/devstack.tgz
RUN npm install --global --omit=dev --ignore-scripts --no-audit --no-fund /tmp/devstack.tgz \\
 && rm /tmp/devstack.tgz && npm cache clean --force
USER 1000:1000
WORKDIR /tmp
ENTRYPOINT ["devstack"]
`;

/** A build context of the Dockerfile and `npm pack` of the running devstack. */
export async function toolsContext(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "devstack-tools-"));
  try {
    const { stdout } = await promisify(execFile)("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: PACKAGE_ROOT, maxBuffer: 64 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    if (!packed) throw new DevstackError("npm pack of devstack wrote nothing", { kind: "failed", fix: `run \`npm pack --dry-run\` in ${PACKAGE_ROOT} to see why, then run the command again` });
    renameSync(join(dir, packed.filename), join(dir, "devstack.tgz"));
    writeFileSync(join(dir, "Dockerfile"), TOOLS_DOCKERFILE);
    return dir;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new DevstackError(`could not pack devstack for its image: ${(error as Error).message}`, { fix: "npm must be on PATH (it comes with Node.js)", cause: error });
  }
}

export function hasScheduledExports(config: ResolvedConfig): boolean {
  return Object.values(config.app.exports).some((e) => e.schedule !== undefined);
}

/** Builds and pushes the devstack image unless the registry has this exact build of it already. */
export async function publishToolsImage(docker: Docker, config: ResolvedConfig, step: <T>(title: string, work: () => Promise<T>) => Promise<T>): Promise<{ image: ImageRef; built: boolean }> {
  const image = toolsImage(config);
  const ref = `${image.repository}:${image.tag}`;
  const local = config.profile.registry.type === "local";
  const existing = local ? await registryDigest(`127.0.0.1:${config.profile.ports.registry}`, config.app.name, image.tag) : await ecrDigest(config, image.tag);
  if (existing) return { image, built: false };
  const context = await step("export image: pack devstack", () => toolsContext());
  try {
    // Clusters run linux/amd64 unless told otherwise, whatever the laptop that builds.
    await step(`export image: build ${ref}`, () => buildImage(docker, { context, dockerfile: "Dockerfile", args: {}, tag: ref, ...(local ? {} : { platform: "linux/amd64" }) }));
    await step("export image: push", async () => (local ? pushImage(docker, ref) : void (await pushWithAuth(docker, ref, await registryAuth(config, image.repository)))));
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return { image, built: true };
}
