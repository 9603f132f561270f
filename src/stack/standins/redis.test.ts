import { describe, expect, it } from "vitest";
import { resolveTexts, type ResolvedConfig } from "../../config/resolve.js";
import { secretPlan } from "../../secrets/model.js";
import { stackSpec } from "../components.js";
import { imageFor } from "../images.js";
import { describePlan, planStack } from "../plan.js";

const APP = "name: shop\ncomponents:\n  web:\n    build: {}\n    port: 3000\n    routes: [{path: /}]\n";

function shop(app: string, profile = ""): ResolvedConfig {
  const resolved = resolveTexts({ file: "devstack.yaml", text: `${APP}${app}` }, { file: "profiles/local.yaml", text: `cluster:\n  type: k3s\ndomain: localhost\n${profile}` }, "local");
  return { ...resolved, projectDir: "/work/shop", files: [], profileSource: "profiles/local.yaml" } as unknown as ResolvedConfig;
}

const components = (config: ResolvedConfig) => stackSpec(config, { cluster: true }).containers.map((c) => c.component);

describe("the Redis stand-in", () => {
  const config = shop("redis: {}\n");
  const spec = stackSpec(config, { cluster: true });
  const redis = spec.containers.find((c) => c.component === "redis");

  it("runs beside the cluster when the app has redis: and the profile keeps it local", () => {
    expect(components(config)).toEqual(["registry", "pebble-challtestsrv", "pebble", "smtp", "object-store", "redis", "k3s"]);
    expect(components(shop(""))).not.toContain("redis");
    expect(components(shop("redis: {}\n", "redis:\n  type: elasticache\n  host: cache.example.com\n"))).not.toContain("redis");
  });

  it("pins the upstream image, moves with images.overrides and ports.redis, and keeps its data in a volume", () => {
    expect(redis).toMatchObject({
      image: "docker.io/library/redis:7.4-bookworm",
      ports: [{ container: 6379, host: 6379, purpose: "Redis", key: "ports.redis" }],
      volumes: [{ name: `devstack-${spec.id}-redis`, path: "/data" }],
      aliases: ["redis"],
      user: "redis",
      memoryMi: 16,
    });
    expect(spec.volumes).toContain(`devstack-${spec.id}-redis`);
    const moved = stackSpec(shop("redis: {}\n", "ports:\n  redis: 16379\nimages:\n  overrides:\n    redis: devstack-standin/redis:bookworm\n"), { cluster: false }).containers.find((c) => c.component === "redis");
    expect(moved?.ports[0]?.host).toBe(16379);
    expect(moved?.image).toBe("devstack-standin/redis:bookworm");
    expect(imageFor("redis", { mirror: "mirror.corp.example/hub", overrides: {} })).toBe("mirror.corp.example/hub/library/redis:7.4-bookworm");
  });

  it("reads its password from the secret file, never from its command, env, labels or health check", () => {
    expect(redis?.secretEnv).toEqual({ REDIS_PASSWORD: { group: "redis", name: "password" } });
    expect(redis?.env).toEqual({});
    const visible = JSON.stringify([redis?.cmd, redis?.env, redis?.labels, redis?.healthcheck]);
    expect(visible).toContain("$REDIS_PASSWORD_FILE");
    expect(visible).not.toMatch(/requirepass [A-Za-z0-9]{8}/);
    expect(redis?.healthcheck?.[0]).toBe("CMD-SHELL");
    const described = describePlan(planStack(spec, { engine: false, network: false, volumes: [], containers: [] })).containers.find((c) => c.component === "redis");
    expect(described?.env).toEqual({ REDIS_PASSWORD_FILE: "/devstack/secrets/REDIS_PASSWORD (secret redis.password)" });
  });

  it("its password is generated locally, and stored by hand for ElastiCache", () => {
    const local = secretPlan(config).stored.find((v) => v.group === "redis");
    expect(local).toMatchObject({ name: "password", kind: "generate", sensitive: true });
    const remote = secretPlan(shop("redis: {}\n", "redis:\n  type: elasticache\n  host: cache.example.com\n")).stored.find((v) => v.group === "redis");
    expect(remote).toMatchObject({ name: "password", kind: "external", sensitive: true });
  });
});

describe("the app's bucket", () => {
  it("runs the object store for storage: even where exports go to S3, with its key pair in the store", () => {
    const config = shop("storage: {}\n", "objectStore:\n  type: s3\n  bucket: shop-exports\n  region: eu-central-1\n");
    expect(components(config)).toContain("object-store");
    expect(secretPlan(config).stored.map((v) => v.name)).toEqual(expect.arrayContaining(["EXPORT_S3_ACCESS_KEY_ID", "EXPORT_S3_SECRET_ACCESS_KEY"]));
    const neither = shop("", "objectStore:\n  type: s3\n  bucket: shop-exports\n  region: eu-central-1\n");
    expect(components(neither)).not.toContain("object-store");
    expect(secretPlan(neither).stored.map((v) => v.name)).not.toContain("EXPORT_S3_ACCESS_KEY_ID");
  });
});
