import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildImage } from "../../src/deploy/image.js";
import { toolsContext } from "../../src/deploy/tools-image.js";
import { dockerClient } from "../../src/stack/docker-engine.js";
import { describeWithEngine } from "../support/engines.js";
import { readParquet } from "../support/parquet.js";
import { findPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";
import { dockerTierMissing } from "../support/standins.js";

const postgres = findPostgres();
const docker = await dockerTierMissing();
const nodeBase = spawnSync("docker", ["image", "inspect", "node:22-bookworm-slim"], { stdio: "ignore" }).status === 0 ? undefined : "no node:22-bookworm-slim image (scripts/build-standin-images.sh tags the stand-in)";
const missing = docker ?? nodeBase ?? ("missing" in postgres ? postgres.missing : undefined);
const TAG = "devstack-export-image-test:latest-build";

describeWithEngine("Docker and PostgreSQL", missing, "the export CronJob's image runs the same command", () => {
  let pg: TestPostgres;
  let work: string;
  let url: string;

  beforeAll(async () => {
    pg = await startPostgres((postgres as { bin: string }).bin);
    url = pg.database("shop", "shop-test-password");
    pg.sql("SET ROLE shop; CREATE TABLE visits (id bigserial PRIMARY KEY, path text, updated_at timestamptz NOT NULL DEFAULT now()); INSERT INTO visits (path) SELECT '/p/' || g FROM generate_series(1, 5000) g;", "shop");
    work = mkdtempSync(join(tmpdir(), "devstack-export-image-"));
  });

  afterAll(() => {
    pg?.stop();
    spawnSync("docker", ["rmi", "-f", TAG], { stdio: "ignore" });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("builds from npm pack of this devstack and exports as the CronJob would", async () => {
    const context = await toolsContext();
    try {
      await buildImage(await dockerClient(), { context, dockerfile: "Dockerfile", args: {}, tag: TAG });
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
    const out = join(work, "out");
    const cfg = join(work, "cfg");
    for (const dir of [out, cfg]) {
      spawnSync("mkdir", ["-p", dir]);
      // The image runs as the unprivileged node user, as in the cluster.
      chmodSync(dir, 0o777);
    }
    writeFileSync(join(cfg, "exports.json"), JSON.stringify({ app: "shop", profile: "test", databaseEnv: "DATABASE_URL", destination: "/out", exports: { visits: { table: "visits", cursor: "updated_at" } } }));
    const run = spawnSync(
      "docker",
      ["run", "--rm", "--network", "host", "--read-only", "--tmpfs", "/tmp", "-v", `${cfg}:/etc/devstack:ro`, "-v", `${out}:/out`, "-e", "DEVSTACK_EXPORT_CONFIG=/etc/devstack/exports.json", "-e", "DATABASE_URL", TAG, "export", "visits", "--json"],
      { encoding: "utf8", env: { ...process.env, DATABASE_URL: url }, timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const done = JSON.parse(run.stdout.trim().split("\n").at(-1) as string) as { exports: { rows: number; files: string[] }[] };
    expect(done.exports[0]?.rows).toBe(5000);
    const files = (done.exports[0]?.files ?? []).map((f) => f.replace(/^\/out/, out));
    expect(await readParquet(files, "SELECT count(*) AS n, min(path) AS first FROM parquet")).toEqual([{ n: "5000", first: "/p/1" }]);
    // The password came in through the environment and went nowhere else.
    expect(run.stdout + run.stderr).not.toContain("shop-test-password");
  }, 600_000);
});
