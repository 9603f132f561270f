import { describe, expect, it } from "vitest";
import { resolveTexts } from "../config/resolve.js";
import type { Found } from "./facts.js";
import { infer } from "./infer.js";
import { eksProfile, localProfile } from "./templates.js";
import { appYaml } from "./write.js";

const facts: Found[] = [
  { kind: "dockerfile", value: { dockerfile: "Dockerfile", context: ".", target: "runtime" }, source: "Dockerfile", confirmed: true },
  { kind: "port", value: { port: 3000 }, source: "package.json", confirmed: false },
  { kind: "service", value: { service: "redis", by: "ioredis" }, source: "package.json:9", confirmed: true },
  { kind: "service", value: { service: "storage", by: "@aws-sdk/client-s3" }, source: "package.json:10", confirmed: true },
  { kind: "env", value: { name: "SESSION_SECRET", from: "code" }, source: "src/app.js:4", confirmed: true },
  { kind: "env", value: { name: "PUBLIC_URL", from: "code" }, source: "src/app.js:5", confirmed: true },
];

describe("appYaml", () => {
  const { app, guesses } = infer(facts, { name: "shop" });
  const text = appYaml(app, guesses, "# yaml-language-server: $schema=schemas/devstack.schema.json\n");

  it("puts `# guess: <why>` on each guessed line", () => {
    expect(text).toMatch(/^ {4}port: 3000 # guess: the usual port \(package\.json\)$/m);
    expect(text).toMatch(/^ {4}readiness: \{tcp: true\} # guess: no health endpoint found/m);
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=schemas/devstack.schema.json");
  });

  it("validates with the local and the production profile, which has a counterpart for each service", () => {
    for (const [file, profile] of [
      ["profiles/local.yaml", localProfile("schemas")],
      ["profiles/prod.yaml", eksProfile("shop", "schemas", ["redis", "storage"], "prod")],
    ] as const) {
      const config = resolveTexts({ file: "devstack.yaml", text }, { file, text: profile }, "p");
      expect(config.app.components.web).toMatchObject({ port: 3000, build: { target: "runtime" } });
      expect(config.app.env).toEqual({ PUBLIC_URL: config.url });
      expect(Object.keys(config.app.secrets)).toEqual(["SESSION_SECRET"]);
    }
    expect(eksProfile("shop", "schemas", ["redis", "storage"], "prod")).toMatch(/redis:\n {2}type: elasticache[\s\S]*storage:\n {2}type: s3/);
  });
});
