import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import { stackSpec } from "./components.js";
import { describePlan, planStack, type Observed } from "./plan.js";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");
const config = loadConfig({ cwd: HELLO, profile: "local" });
const spec = stackSpec(config, { cluster: true });
const fresh: Observed = { engine: true, network: false, volumes: [], containers: [] };
const running = (overrides: Partial<Record<string, { state?: string; spec?: string }>> = {}): Observed => ({
  engine: true,
  network: true,
  volumes: spec.volumes,
  containers: spec.containers.map((c, i) => ({ id: `id${i}`, name: c.name, component: c.component, state: overrides[c.component]?.state ?? "running", spec: overrides[c.component]?.spec ?? c.hash, image: c.image })),
});

describe("the local stack's spec", () => {
  it("has every managed-service stand-in and the cluster, labelled with the project", () => {
    expect(spec.containers.map((c) => c.component)).toEqual(["registry", "postgres", "pebble-challtestsrv", "pebble", "smtp", "object-store", "k3s"]);
    for (const c of spec.containers) expect(c.labels["devstack.project"]).toBe(spec.id);
    expect(spec.volumes.map((v) => v.replace(spec.id, "ID"))).toEqual(["devstack-ID-registry", "devstack-ID-postgres", "devstack-ID-object-store", "devstack-ID-k3s"]);
  });

  it("publishes ports on 127.0.0.1 from the profile and keeps the postgres password out of the container's config", () => {
    const pg = spec.containers.find((c) => c.component === "postgres");
    expect(pg?.ports).toEqual([{ container: 5432, host: 5432, purpose: "PostgreSQL", key: "ports.postgres" }]);
    expect(pg?.env).not.toHaveProperty("POSTGRES_PASSWORD");
    expect(pg?.secretEnv).toEqual({ POSTGRES_PASSWORD: { group: "platform", name: "postgres-superuser-password" } });
    expect(pg?.healthcheck).toEqual(["CMD", "pg_isready", "-U", "postgres", "-h", "127.0.0.1"]);
    expect(pg?.image).toBe("docker.io/library/postgres:16");
  });

  it("runs the S3 object store on the profile's port, its data in a volume and its keys out of the container's config", () => {
    const store = spec.containers.find((c) => c.component === "object-store");
    expect(store).toMatchObject({
      name: `devstack-${spec.id}-object-store`,
      image: "docker.io/rustfs/rustfs:1.0.0",
      cmd: ["/data"],
      env: {},
      ports: [{ container: 9000, host: 9000, purpose: "S3 API", key: "ports.objectStore" }],
      volumes: [{ name: `devstack-${spec.id}-object-store`, path: "/data" }],
      aliases: ["object-store"],
    });
    expect(store?.secretEnv).toEqual({
      RUSTFS_ACCESS_KEY: { group: "app", name: "EXPORT_S3_ACCESS_KEY_ID" },
      RUSTFS_SECRET_KEY: { group: "app", name: "EXPORT_S3_SECRET_ACCESS_KEY" },
    });
  });

  it("has no object store container when the profile writes to an S3 bucket", () => {
    const s3 = { ...config, profile: { ...config.profile, objectStore: { type: "s3" as const, bucket: "hello-exports", prefix: "", region: "eu-central-1" } } };
    const other = stackSpec(s3, { cluster: false });
    expect(other.containers.map((c) => c.component)).not.toContain("object-store");
    expect(other.volumes.some((v) => v.endsWith("-object-store"))).toBe(false);
  });

  it("moves the object store with ports.objectStore and images.overrides", () => {
    const moved = { ...config, profile: { ...config.profile, ports: { ...config.profile.ports, objectStore: 19000 }, images: { overrides: { "object-store": "devstack-standin/object-store:bookworm" } } } };
    const store = stackSpec(moved, { cluster: false }).containers.find((c) => c.component === "object-store");
    expect(store?.ports[0]?.host).toBe(19000);
    expect(store?.image).toBe("devstack-standin/object-store:bookworm");
  });

  it("leaves the cluster out with --services-only", () => {
    expect(stackSpec(config, { cluster: false }).containers.map((c) => c.component)).not.toContain("k3s");
  });
});

describe("planStack", () => {
  it("creates everything on a fresh machine", () => {
    const plan = planStack(spec, fresh);
    expect(plan.network.action).toBe("create");
    expect(plan.volumes.every((v) => v.action === "create")).toBe(true);
    expect(plan.containers.map((c) => c.action)).toEqual(["create", "create", "create", "create", "create", "create", "create"]);
  });

  it("reuses a fully running stack and touches nothing", () => {
    const plan = planStack(spec, running());
    expect(plan.network.action).toBe("reuse");
    expect(plan.containers.every((c) => c.action === "reuse")).toBe(true);
  });

  it("starts what stopped, recreates what changed and creates what is missing", () => {
    const partial = running({ postgres: { state: "exited" }, pebble: { spec: "old-settings" } });
    partial.containers = partial.containers.filter((c) => c.component !== "smtp");
    const plan = planStack(spec, partial);
    expect(Object.fromEntries(plan.containers.map((c) => [c.spec.component, c.action]))).toEqual({
      registry: "reuse",
      postgres: "start",
      "pebble-challtestsrv": "reuse",
      pebble: "recreate",
      smtp: "create",
      "object-store": "reuse",
      k3s: "reuse",
    });
  });

  it("recreates a container that was created but never started (an interrupted run)", () => {
    expect(planStack(spec, running({ registry: { state: "created" } })).containers[0]?.action).toBe("recreate");
  });

  it("describes secret env by where it comes from, never by value", () => {
    const pg = describePlan(planStack(spec, fresh)).containers.find((c) => c.component === "postgres");
    expect(pg?.env.POSTGRES_PASSWORD_FILE).toBe("/devstack/secrets/POSTGRES_PASSWORD (secret platform.postgres-superuser-password)");
    const store = describePlan(planStack(spec, fresh)).containers.find((c) => c.component === "object-store");
    expect(store?.env).toEqual({
      RUSTFS_ACCESS_KEY_FILE: "/devstack/secrets/RUSTFS_ACCESS_KEY (secret app.EXPORT_S3_ACCESS_KEY_ID)",
      RUSTFS_SECRET_KEY_FILE: "/devstack/secrets/RUSTFS_SECRET_KEY (secret app.EXPORT_S3_SECRET_ACCESS_KEY)",
    });
  });
});
