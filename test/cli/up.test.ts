import { describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { devstack, jsonResult } from "../support/cli.js";
import { standinProject } from "../support/standins.js";

const noEngine = { DOCKER_HOST: "unix:///nonexistent/docker.sock" };

describe("devstack up without a Docker engine", () => {
  it("--dry-run prints the whole plan, for a fresh machine", () => {
    const r = devstack(["up", "--dry-run"], { env: noEngine });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no Docker engine answered: planned as a fresh machine");
    for (const component of ["registry", "postgres", "pebble-challtestsrv", "pebble", "smtp", "k3s"]) expect(r.stdout).toContain(`${component}: create`);
    expect(r.stdout).toContain("POSTGRES_PASSWORD_FILE=/devstack/secrets/POSTGRES_PASSWORD (secret platform.postgres-superuser-password)");
    // The cluster half comes from the deploy flow's own plan: a fresh k3s holds no platform and no release.
    expect(r.stdout).toContain("run   platform chart: operators and CRDs  (first install");
    expect(r.stdout).toContain("run   platform chart: install  (first install)");
    expect(r.stdout).toContain("run   smoke: https://hello.localhost/healthz");
    expect(r.stdout).toContain("blocked: external secret missing in profile local: STRIPE_API_KEY");
  });

  it("--dry-run --json is a stable plan object", () => {
    const plan = jsonResult<{ engine: boolean; plan: { containers: { component: string; image: string }[] }; flow: { steps: { id: string }[] } }>(devstack(["up", "--dry-run", "--json", "--services-only"], { env: noEngine }).stdout);
    expect(plan.engine).toBe(false);
    expect(plan.plan.containers.map((c) => c.component)).toEqual(["registry", "postgres", "pebble-challtestsrv", "pebble", "smtp", "object-store"]);
    // --services-only: the flow stops at the containers.
    expect(plan.flow.steps.every((s) => s.id.startsWith("container."))).toBe(true);
  });

  it("--dry-run plans Redis and the app's bucket, the password only as a file from the store", async () => {
    const { dir, ports } = await standinProject({ app: "redis: {}\nstorage: {}\n" });
    try {
      const r = devstack(["up", "--dry-run", "--json", "--services-only"], { cwd: dir, env: noEngine });
      const plan = jsonResult<{ plan: { containers: { component: string; image: string; ports: string[]; env: Record<string, string>; cmd?: string[] }[] }; memory: { lines: { what: string }[] } }>(r.stdout);
      const redis = plan.plan.containers.find((c) => c.component === "redis");
      expect(redis).toMatchObject({ image: "devstack-standin/redis:bookworm", ports: [`127.0.0.1:${ports.redis}->6379/tcp (Redis)`], env: { REDIS_PASSWORD_FILE: "/devstack/secrets/REDIS_PASSWORD (secret redis.password)" } });
      expect(redis?.cmd?.join(" ")).not.toMatch(/requirepass [^$]/);
      expect(plan.plan.containers.map((c) => c.component)).toContain("object-store");
      expect(plan.memory.lines.map((l) => l.what)).toContain("container: redis");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails with how to start the engine", () => {
    const r = devstack(["up", "--services-only"], { env: noEngine });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no Docker engine answers at unix:///nonexistent/docker.sock");
    expect(r.stderr).toMatch(/fix: start the engine/);
  });

  it("sends remote profiles to deploy instead", () => {
    const r = devstack(["up", "--profile", "prod", "--dry-run"], { env: noEngine });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("profile prod runs on eks, not the local stack");
    expect(r.stderr).toContain("devstack deploy --profile prod");
  });

  it("down --purge asks for confirmation, and without a terminal wants --yes", () => {
    const r = devstack(["down", "--purge"], { env: noEngine });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--purge deletes the stack's volumes");
    expect(r.stderr).toContain("add --yes to confirm");
  });
});
