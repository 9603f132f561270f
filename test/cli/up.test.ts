import { describe, expect, it } from "vitest";
import { devstack } from "../support/cli.js";

const noEngine = { DOCKER_HOST: "unix:///nonexistent/docker.sock" };

describe("devstack up without a Docker engine", () => {
  it("--dry-run prints the whole plan, for a fresh machine", () => {
    const r = devstack(["up", "--dry-run"], { env: noEngine });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no Docker engine answered: planned as a fresh machine");
    for (const component of ["registry", "postgres", "pebble-challtestsrv", "pebble", "smtp", "k3s"]) expect(r.stdout).toContain(`${component}: create`);
    expect(r.stdout).toContain("POSTGRES_PASSWORD_FILE=/devstack/secrets/POSTGRES_PASSWORD (secret platform.postgres-superuser-password)");
    expect(r.stdout).toMatch(/\d\. install or upgrade the platform chart/);
    expect(r.stdout).toMatch(/\d\. wait until https:\/\/hello\.localhost\/healthz answers/);
  });

  it("--dry-run --json is a stable plan object", () => {
    const plan = JSON.parse(devstack(["up", "--dry-run", "--json", "--services-only"], { env: noEngine }).stdout) as { engine: boolean; plan: { containers: { component: string; image: string }[] }; then: string[] };
    expect(plan.engine).toBe(false);
    expect(plan.plan.containers.map((c) => c.component)).toEqual(["registry", "postgres", "pebble-challtestsrv", "pebble", "smtp", "object-store"]);
    expect(plan.then).toEqual([]);
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
