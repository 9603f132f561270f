import { appendFileSync, rmSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config/resolve.js";
import { buildAndPublishLocal } from "../../src/deploy/publish.js";
import { otherBuilds, removeImages } from "../../src/stack/built-images.js";
import { connectDocker } from "../../src/stack/docker.js";
import { devstack } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { dockerTierMissing, standinProject } from "../support/standins.js";
import { spawnSync } from "node:child_process";

const missing =
  (await dockerTierMissing()) ??
  (spawnSync("docker", ["image", "inspect", "node:22-bookworm-slim"], { stdio: "ignore" }).status === 0 ? undefined : "base image node:22-bookworm-slim is not here (scripts/build-standin-images.sh tags the stand-in)");

describeWithEngine("Docker engine with stand-in images", missing, "building examples/hello and pushing it to a real registry", () => {
  let dir: string;
  const home = mkdtempSync(join(tmpdir(), "devstack-push-home-"));
  const env = { DEVSTACK_HOME: home };

  beforeAll(async () => {
    ({ dir } = await standinProject());
    const r = devstack(["up", "--services-only", "--json"], { cwd: dir, env, timeoutMs: 240_000 });
    if (r.code !== 0) throw new Error(r.stdout + r.stderr);
  }, 300_000);

  afterAll(() => {
    devstack(["down", "--purge", "--yes"], { cwd: dir, env, timeoutMs: 120_000 });
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("builds the multi-stage image, pushes it, and skips both when the sources are unchanged", async () => {
    const docker = await connectDocker();
    const config = loadConfig({ cwd: dir, profile: "local" });
    const first = await buildAndPublishLocal(docker, config);
    expect(first.built).toBe(true);
    expect(first.tag).toMatch(/^src-[0-9a-f]{12}$/);
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const again = await buildAndPublishLocal(docker, config);
    expect(again).toMatchObject({ built: false, tag: first.tag, digest: first.digest });

    appendFileSync(join(dir, "src", "server.js"), "\n// a one-line change\n");
    const changed = await buildAndPublishLocal(docker, config);
    expect(changed.built).toBe(true);
    expect(changed.tag).not.toBe(first.tag);
    expect(changed.digest).not.toBe(first.digest);
    // The image runs as the unprivileged user the chart requires.
    const info = await docker.getImage(`${changed.repository}:${changed.tag}`).inspect();
    expect(info.Config.User).toBe("1000:1000");

    // What a deploy does after a build: the earlier build goes, the current one and tags not of sources stay.
    const repository = changed.repository;
    await docker.getImage(`${repository}:${changed.tag}`).tag({ repo: repository, tag: "v1" });
    const earlier = await otherBuilds(docker, repository, new Set([changed.tag]));
    expect(earlier).toEqual([`${repository}:${first.tag}`]);
    expect(await removeImages(docker, earlier)).toEqual(earlier);
    expect(await otherBuilds(docker, repository, new Set([changed.tag]))).toEqual([]);
    await docker.getImage(`${repository}:${changed.tag}`).inspect();
    await docker.getImage(`${repository}:v1`).remove();

    // down --purge takes the app's builds with the rest.
    const down = devstack(["down", "--purge", "--yes", "--json"], { cwd: dir, env, timeoutMs: 120_000 });
    expect(down.code, down.stderr).toBe(0);
    const result = JSON.parse(down.stdout.trim().split("\n").at(-1) as string) as { images?: string[] };
    expect(result.images).toEqual([`${repository}:${changed.tag}`]);
    expect(await otherBuilds(docker, repository)).toEqual([]);
  }, 600_000);
});
