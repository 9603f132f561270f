import { describe, expect, it } from "vitest";
import { ConfigError, formatIssue } from "../errors.js";
import { BASE_APP, BASE_PROFILE, MALFORMED } from "./malformed.cases.js";
import { loadConfig, resolveTexts } from "./resolve.js";
import { decodeConfig } from "./yaml-source.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");

function problems(app: string, profile: string): string[] {
  try {
    resolveTexts({ file: "devstack.yaml", text: app }, { file: "profiles/local.yaml", text: profile }, "local");
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatIssue);
    throw error;
  }
  return [];
}

describe("malformed configs and profiles", () => {
  it("has at least 100 cases, each with its own title", () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(100);
    expect(new Set(MALFORMED.map((c) => c.title)).size).toBe(MALFORMED.length);
  });

  it.each(MALFORMED)("$title", (c) => {
    const expected = Array.isArray(c.expected) ? c.expected : [c.expected];
    if (c.bytes) {
      const decoded = decodeConfig("devstack.yaml", c.bytes);
      expect(decoded.issues.length > 0 ? decoded.issues.map(formatIssue) : problems(decoded.text, c.profile ?? BASE_PROFILE)).toEqual(expected);
      return;
    }
    expect(problems(c.app ?? BASE_APP, c.profile ?? BASE_PROFILE)).toEqual(expected);
  });

  it("the base files are valid", () => {
    expect(problems(BASE_APP, BASE_PROFILE)).toEqual([]);
  });

  it("reports every problem of both files at once, in file and line order", () => {
    const found = problems(`name: Shop\nservice:\n  prot: 1\n`, `cluster:\n  type: k3\ndomain: localhost\n`);
    expect(found.map((p) => p.split(": ")[0])).toEqual([
      "devstack.yaml:1:7",
      "devstack.yaml:2:1",
      "devstack.yaml:3:3",
      "profiles/local.yaml:2:9",
    ]);
  });

  it("never repeats a value found where a secret belongs", () => {
    const app = `${BASE_APP}env:\n  API_TOKEN: tok_0123456789\nsecrets:\n  STRIPE_KEY: sk_live_0123456789\n  OTHER: { external: tok_abcdefghij }\n`;
    const text = problems(app, BASE_PROFILE).join("\n");
    expect(text).toContain("secrets.STRIPE_KEY");
    expect(text).toContain("env.API_TOKEN");
    expect(text).not.toContain("sk_live_0123456789");
    expect(text).not.toContain("tok_0123456789");
    expect(text).not.toContain("tok_abcdefghij");
  });
});

describe("resolution", () => {
  it("expands templates from the app, the profile and its vars", () => {
    const config = resolveTexts(
      { file: "devstack.yaml", text: `${BASE_APP}env:\n  URL: \${url}\n  WHO: \${app.name}@\${profile.name}\n  API: \${profile.vars.api}\n  LITERAL: $\${url}\n` },
      { file: "profiles/staging.yaml", text: `${BASE_PROFILE}vars:\n  api: api.\${app.name}.test\n` },
      "staging",
    );
    expect(config.host).toBe("shop.localhost");
    expect(config.url).toBe("https://shop.localhost");
    expect(config.app.env).toEqual({ URL: "https://shop.localhost", WHO: "shop@staging", API: "api.shop.test", LITERAL: "${url}" });
  });

  it("takes the host from the profile when it names one", () => {
    const config = resolveTexts(
      { file: "devstack.yaml", text: BASE_APP },
      { file: "p.yaml", text: `${BASE_PROFILE}vars:\n  sub: www\nhost: \${profile.vars.sub}.\${app.name}.localhost\n` },
      "local",
    );
    expect(config.host).toBe("www.shop.localhost");
  });

  it("fills defaults a user may leave out", () => {
    const config = resolveTexts({ file: "devstack.yaml", text: BASE_APP }, { file: "p.yaml", text: BASE_PROFILE }, "local");
    expect(config.app.service).toMatchObject({ port: 8080, health: "/healthz", replicas: 2 });
    expect(config.app.build).toEqual({ context: ".", dockerfile: "Dockerfile", args: {} });
    expect(config.profile).toMatchObject({ registry: { type: "local" }, acme: { type: "local" }, secretStore: { type: "local" } });
  });

  it("resolves examples/hello in both of its profiles", () => {
    const local = loadConfig({ cwd: HELLO, profile: "local" });
    const prod = loadConfig({ cwd: HELLO, profile: "prod" });
    expect(local.url).toBe("https://hello.localhost");
    expect(prod.url).toBe("https://hello.example.com");
    expect(prod.app.env.GREETING).toBe("hello from prod");
    expect(local.profileSource).toBe("project");
  });

  it("names the profiles there are when asked for one that is not", () => {
    expect(() => loadConfig({ cwd: HELLO, profile: "prdo" })).toThrow(/no profile "prdo" \(did you mean "prod"\?\)/);
  });

  it("falls back to a built-in profile the project does not have", () => {
    const dir = mkdtempSync(join(tmpdir(), "devstack-builtin-"));
    writeFileSync(join(dir, "devstack.yaml"), BASE_APP);
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
    const local = loadConfig({ cwd: dir, profile: "local" });
    const prod = loadConfig({ cwd: dir, profile: "prod" });
    expect(local.profileSource).toBe("builtin");
    expect(local.profile.cluster.type).toBe("k3s");
    expect(prod.profile.cluster).toMatchObject({ type: "eks", name: "shop-prod" });
    rmSync(dir, { recursive: true });
  });

  it("finds devstack.yaml in a parent directory", () => {
    expect(loadConfig({ cwd: join(HELLO, "src"), profile: "local" }).app.name).toBe("hello");
  });

  it("refuses paths in devstack.yaml that name nothing in the project, at their key", () => {
    const dir = mkdtempSync(join(tmpdir(), "devstack-paths-"));
    try {
      writeFileSync(join(dir, "devstack.yaml"), `${BASE_APP}build:\n  dockerfile: docker/App.Dockerfile\nchart: deploy/chart\n`);
      let issues: string[] = [];
      try {
        loadConfig({ cwd: dir, profile: "local" });
      } catch (error) {
        issues = (error as ConfigError).issues.map(formatIssue);
      }
      expect(issues).toEqual([
        `devstack.yaml:5:15: build.dockerfile: no docker/App.Dockerfile in the build context .: write one, or point build.dockerfile (relative to the context) at it`,
        `devstack.yaml:6:8: chart: no Helm chart at deploy/chart (a directory with a Chart.yaml, relative to devstack.yaml)`,
      ]);
      writeFileSync(join(dir, "devstack.yaml"), `${BASE_APP}build:\n  context: app\n`);
      expect(() => loadConfig({ cwd: dir, profile: "local" })).toThrow(ConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
