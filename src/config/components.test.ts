import { describe, expect, it } from "vitest";
import { componentScale, componentUrls, smokeUrls } from "./components.js";
import { resolveTexts } from "./resolve.js";
import { primaryComponent } from "./schema/app.js";

const profile = { file: "profiles/local.yaml", text: "cluster:\n  type: k3s\ndomain: localhost\n" };
const resolve = (text: string) => resolveTexts({ file: "devstack.yaml", text }, profile, "local");

describe("components", () => {
  it("reads service: as one component named web, routed at /, probed at its health path", () => {
    const config = resolve("name: hello\nservice:\n  port: 8080\n  health: /ready\n");
    expect(config.app.components).toEqual({
      web: {
        build: { context: ".", dockerfile: "Dockerfile", args: {} },
        port: 8080,
        routes: [{ path: "/" }],
        readiness: { http: "/ready" },
        liveness: { http: "/ready" },
        replicas: 2,
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        env: {},
        writable: {},
        ports: {},
      },
    });
    expect(smokeUrls(config)).toEqual(["https://hello.localhost/ready"]);
  });

  it("keeps the declared order, lists routes, and finds the primary (the first that builds)", () => {
    const config = resolve(`name: shop
components:
  worker:
    image: api
    command: [node, worker.js]
  api:
    build: {context: api}
    port: 4000
    routes: [{path: /api}]
    readiness: {http: /api/healthz}
    writable: {/tmp: 64Mi}
  admin:
    image: api
    port: 4001
    routes: [{subdomain: admin}]
    readiness: {http: /healthz}
    secrets: []
`);
    expect(Object.keys(config.app.components)).toEqual(["worker", "api", "admin"]);
    expect(config.app.components.worker?.routes).toEqual([]);
    expect(config.app.components.api?.writable).toEqual({ "/tmp": "64Mi" });
    expect(primaryComponent(config.app).name).toBe("api");
    expect(smokeUrls(config)).toEqual(["https://shop.localhost/api/healthz", "https://admin.shop.localhost/healthz"]);
    expect(componentScale(config, "worker")).toMatchObject({ replicas: 1 });
    expect(componentScale(config, "nope").replicas).toBe(0);
    expect(componentUrls(config)).toEqual({ api: ["https://shop.localhost/api"], admin: ["https://admin.shop.localhost"] });
  });
});
