import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import { componentEnvironments, hostEnvironment } from "./environment.js";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");
const config = loadConfig({ cwd: HELLO, profile: "local" });

describe("hostEnvironment", () => {
  it("names the object store and its export bucket, never its keys", () => {
    const env = hostEnvironment(config, { registry: "localhost:5001", objectStore: { endpoint: "http://127.0.0.1:9000", bucket: "exports" } }, {});
    expect(env).toMatchObject({ EXPORT_S3_ENDPOINT: "http://127.0.0.1:9000", EXPORT_S3_BUCKET: "exports" });
    expect(Object.keys(env).filter((k) => /ACCESS|SECRET_KEY/.test(k))).toEqual([]);
  });

  it("leaves the object store out when none runs locally", () => {
    expect(hostEnvironment(config, { registry: "localhost:5001" }, {})).not.toHaveProperty("EXPORT_S3_ENDPOINT");
  });

  it("gives each component of a product its own env and only the secrets it names", async () => {
    const { resolveTexts } = await import("../config/resolve.js");
    const shop = resolveTexts(
      { file: "devstack.yaml", text: "name: shop\nenv:\n  LOG: info\nsecrets:\n  STRIPE_KEY: {external: true}\n  SESSION_KEY: {generate: {type: random}}\ncomponents:\n  web:\n    build: {}\n    port: 3000\n    routes: [{path: /}]\n    secrets: [SESSION_KEY]\n  worker:\n    image: web\n    env: {QUEUE: jobs}\n" },
      { file: "profiles/local.yaml", text: "cluster:\n  type: k3s\ndomain: localhost\n" },
      "local",
    );
    const envs = componentEnvironments(shop, { registry: "localhost:5001" }, { STRIPE_KEY: "sk", SESSION_KEY: "s" });
    expect(envs.web).toMatchObject({ LOG: "info", SESSION_KEY: "s", PORT: "3000" });
    expect(envs.web).not.toHaveProperty("STRIPE_KEY");
    expect(envs.worker).toMatchObject({ LOG: "info", QUEUE: "jobs", STRIPE_KEY: "sk", SESSION_KEY: "s" });
    expect(envs.worker).not.toHaveProperty("PORT");
  });
});
