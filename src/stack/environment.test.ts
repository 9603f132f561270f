import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import { hostEnvironment } from "./environment.js";

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
});
