import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { devstack, devstackAsync, jsonError, jsonResult, programCommands, ROOT } from "../support/cli.js";
import { tempDirs } from "../support/temp.js";

const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const tempDir = tempDirs();

describe("the devstack command", () => {
  it("lists every command the program declares, with examples, in --help", () => {
    const r = devstack(["--help"]);
    expect(r.code).toBe(0);
    const topLevel = programCommands().filter((c) => !c.path.includes(" "));
    expect(topLevel.length).toBeGreaterThan(10);
    for (const command of topLevel.filter((c) => !c.hidden)) expect(r.stdout).toMatch(new RegExp(`^  ${command.path} `, "m"));
    for (const command of topLevel.filter((c) => c.hidden)) expect(r.stdout).not.toMatch(new RegExp(`^  ${command.path} `, "m"));
    expect(r.stdout).toContain("Examples:");
  });

  it("prints its version", () => {
    expect(devstack(["--version"])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("exits 2 with a suggestion on a misspelled command", () => {
    const r = devstack(["confg"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Did you mean config?");
  });

  it("exits 2 on an unknown option", () => {
    const r = devstack(["config", "--profle", "prod"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--profle'");
  });

  it("each command has --help, and examples on it or (for a group) on it or on each of its subcommands", async () => {
    const commands = programCommands().filter((c) => !c.hidden);
    const helps = new Map(await Promise.all(commands.map(async (c) => [c.path, await devstackAsync([...c.path.split(" "), "--help"])] as const)));
    const hasExamples = (path: string) => helps.get(path)?.stdout.includes("Examples:") === true;
    for (const c of commands) {
      const r = helps.get(c.path);
      expect(r?.code, c.path).toBe(0);
      expect(r?.stdout, c.path).toContain(`Usage: devstack ${c.path}`);
    }
    const withoutExamples = commands
      .filter((c) => !c.path.includes(" "))
      .filter((c) => !hasExamples(c.path) && !(c.group && commands.filter((sub) => sub.path.startsWith(`${c.path} `)).every((sub) => hasExamples(sub.path))))
      .map((c) => c.path);
    expect(withoutExamples).toEqual([]);
  }, 60_000);
});

describe("config and diff in examples/hello", () => {
  it("prints the resolved prod config as JSON", () => {
    const r = devstack(["config", "--profile", "prod", "--json"]);
    expect(r.code).toBe(0);
    const view = jsonResult<{ secrets: { name: string; kind: string }[] }>(r.stdout);
    expect(view).toMatchObject({
      command: "config",
      profile: { name: "prod", cluster: { type: "eks", name: "hello-prod" } },
      url: "https://hello.example.com",
      app: { name: "hello", env: { PUBLIC_URL: "https://hello.example.com" } },
    });
    expect(view.secrets.map((s: { name: string; kind: string }) => `${s.name}:${s.kind}`)).toEqual([
      "DATABASE_URL:derived",
      "JWT_PRIVATE_KEY:generate",
      "SESSION_KEY:generate",
      "STRIPE_API_KEY:external",
      "WEBHOOK_SIGNING_KEY:generate",
    ]);
  });

  it("defaults to the local profile and prints YAML", () => {
    const r = devstack(["config"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("# profile local (profiles/local.yaml) · https://hello.localhost");
    expect(r.stdout).toContain("PUBLIC_URL: https://hello.localhost");
  });

  it("lists the differences between local and prod by key path", () => {
    const r = devstack(["diff", "local", "prod", "--json"]);
    expect(r.code).toBe(0);
    const result = jsonResult<{ count: number; differences: { path: string; a: unknown; b: unknown }[] }>(r.stdout);
    expect(result.count).toBe(result.differences.length);
    expect(result.differences).toContainEqual({ path: "url", a: "https://hello.localhost", b: "https://hello.example.com" });
    expect(result.differences).toContainEqual({ path: "profile.cluster.type", a: "k3s", b: "eks" });
    expect(result.differences.map((d) => d.path)).not.toContain("app.name");
    const text = devstack(["diff", "local", "prod"]);
    expect(text.stdout).toMatch(/^profile\.replicas\s+1\s+3$/m);
  });

  it("never shows secret values that sit in the environment or in a broken config", () => {
    const secrets = {
      SESSION_KEY: "s3ss10n-k3y-value-0123456789abcdef",
      STRIPE_API_KEY: "sk_live_51HxYzSecretValue0123456789",
      DATABASE_URL: "postgres://hello:Pa55w0rd-Secret@db:5432/hello",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    };
    const env = { ...secrets, AWS_ACCESS_KEY_ID: "AKIAEXAMPLE" };
    const outputs = [
      devstack(["config", "--profile", "prod", "--json"], { env }),
      devstack(["config", "--profile", "local"], { env }),
      devstack(["diff", "local", "prod"], { env }),
      devstack(["diff", "local", "prod", "--json"], { env }),
    ];
    const dir = tempDir("devstack-leak-");
    writeFileSync(
      join(dir, "devstack.yaml"),
      `name: leak\nservice:\n  port: 8080\nenv:\n  STRIPE_TOKEN: ${secrets.STRIPE_API_KEY}\nsecrets:\n  SESSION_KEY: ${secrets.SESSION_KEY}\n`,
    );
    outputs.push(devstack(["config"], { cwd: dir, env }), devstack(["config", "--json"], { cwd: dir, env }));
    expect(outputs.slice(0, 4).every((o) => o.code === 0)).toBe(true);
    expect(outputs.slice(4).every((o) => o.code === 2)).toBe(true);
    const printed = outputs.map((o) => o.stdout + o.stderr).join("\n");
    for (const value of Object.values(secrets)) {
      expect(printed).not.toContain(value);
      expect(printed).not.toContain(Buffer.from(value).toString("base64"));
    }
  });
});

describe("errors", () => {
  it("points at file:line:column, exits 2 and shows no stack trace", () => {
    const dir = tempDir("devstack-bad-");
    writeFileSync(join(dir, "devstack.yaml"), "name: shop\nservice:\n  prot: 8080\n");
    const r = devstack(["config"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('devstack.yaml:3:3: service.prot: unknown key "prot" (did you mean "port"?)');
    expect(r.stderr).toContain("fix:");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const json = devstack(["config", "--json"], { cwd: dir });
    expect(json.stdout.trim().split("\n")).toHaveLength(1);
    expect(jsonError(json.stdout)).toMatchObject({ kind: "config", exitCode: 2, fix: expect.any(String), issues: [{ line: 2 }, { line: 3, column: 3, path: "service.prot" }] });
  });

  it("shows the stack trace with DEVSTACK_DEBUG=1", () => {
    const dir = tempDir("devstack-debug-");
    writeFileSync(join(dir, "devstack.yaml"), "name: [\n");
    const r = devstack(["config"], { cwd: dir, env: { DEVSTACK_DEBUG: "1" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it("tells how to start when there is no devstack.yaml", () => {
    const r = devstack(["config"], { cwd: tempDir("devstack-empty-") });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no devstack.yaml in .* or any directory above it/);
    expect(r.stderr).toContain("run `devstack init`");
  });
});

describe("schema", () => {
  it("prints the JSON Schema of devstack.yaml and of a profile", () => {
    const app = JSON.parse(devstack(["schema"]).stdout);
    const profile = JSON.parse(devstack(["schema", "profile"]).stdout);
    expect(app.title).toBe("devstack.yaml");
    expect(profile.properties).toHaveProperty("cluster");
    expect(devstack(["schema", "nope"]).code).toBe(2);
  });

  it("writes both files with --out", () => {
    const dir = tempDir("devstack-schema-");
    expect(devstack(["schema", "--out", dir]).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "profile.schema.json"), "utf8")).title).toMatch(/profile/);
  });
});

describe("init", () => {
  it("scaffolds files that validate, and never overwrites without --force", () => {
    const dir = tempDir("devstack-init-");
    writeFileSync(join(dir, "package.json"), '{"name":"@acme/shop"}');
    writeFileSync(join(dir, "Dockerfile"), "FROM node:22-slim\nEXPOSE 3000\n");
    const first = devstack(["init", "--json"], { cwd: dir });
    expect(first.code).toBe(0);
    const result = jsonResult<{ facts: { kind: string; source: string; confirmed: boolean }[]; guesses: { path: string }[] }>(first.stdout);
    expect(result).toMatchObject({ command: "init", written: ["devstack.yaml", "profiles/local.yaml", "profiles/prod.yaml"] });
    expect(result.facts).toContainEqual({ kind: "dockerfile", value: expect.objectContaining({ dockerfile: "Dockerfile", context: ".", port: 3000 }), source: "Dockerfile", confirmed: true });
    expect(result.guesses.map((g) => g.path)).toContain("components.web.readiness");
    const written = readFileSync(join(dir, "devstack.yaml"), "utf8");
    expect(written).toMatch(/^name: shop$/m);
    expect(written).toMatch(/readiness: \{tcp: true\} # guess: /);
    expect(written).not.toMatch(/SESSION_KEY|PUBLIC_URL/);
    for (const profile of ["local", "prod"]) expect(devstack(["config", "--profile", profile], { cwd: dir }).code).toBe(0);

    writeFileSync(join(dir, "devstack.yaml"), "# mine\nname: mine\nservice:\n  port: 1\n");
    const again = devstack(["init"], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exist");
    expect(again.stderr).toContain("--force");
    expect(readFileSync(join(dir, "devstack.yaml"), "utf8")).toContain("# mine");

    expect(devstack(["init", "--force", "--port", "4000"], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, "devstack.yaml"), "utf8")).toContain("port: 4000");
    expect(existsSync(join(dir, "profiles", "prod.yaml"))).toBe(true);
  });

  it("writes a GitHub Actions workflow with --ci github: test, staging, then prod behind an approval", async () => {
    const dir = tempDir("devstack-init-ci-");
    // config checks that the Dockerfile the scaffold names exists.
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
    writeFileSync(join(dir, "package.json"), '{"name":"shop","scripts":{"test":"node --test"}}');
    expect(devstack(["init", "--ci", "github"], { cwd: dir }).code).toBe(0);
    const { parse } = await import("yaml");
    const workflow = parse(readFileSync(join(dir, ".github", "workflows", "devstack.yml"), "utf8")) as { jobs: Record<string, { needs?: string; environment?: string; steps: { run?: string }[] }> };
    expect(Object.keys(workflow.jobs)).toEqual(["test", "staging", "production"]);
    expect(workflow.jobs.test?.steps.map((s) => s.run)).toContain("npx devstack test -- npm test");
    expect(workflow.jobs.production).toMatchObject({ needs: "staging", environment: "production" });
    expect(workflow.jobs.production?.steps.map((s) => s.run)).toContain("npx devstack promote --profile prod --from staging --yes --json");
    expect(devstack(["init", "--ci", "gitlab", "--force"], { cwd: dir }).code).toBe(2);
    // The profiles the workflow names exist and keep parity.
    expect(devstack(["config", "--profile", "staging"], { cwd: dir }).code).toBe(0);
    const diff = jsonResult<{ differences: { path: string }[] }>(devstack(["diff", "staging", "prod", "--json"], { cwd: dir }).stdout);
    expect(diff.differences.map((d) => d.path)).toContain("profile.domain");
  });

  it("names the flag that is wrong, before reading the repository", () => {
    // No Dockerfile here either: the flag is reported first.
    const cases: [string[], string][] = [
      [["--name", "Bad Name"], '--name "Bad Name": expected a DNS label (lower-case letters, digits, -; at most 40 characters)'],
      [["--port", "http"], '--port "http": expected a port number from 1 to 65535'],
      [["--port", "70000"], '--port "70000": expected a port number from 1 to 65535'],
      [["--ci", "gitlab"], '--ci "gitlab": expected github'],
      [["--dockerfile", "nope/Dockerfile"], '--dockerfile "nope/Dockerfile": expected a Dockerfile, found nothing'],
      [["--context", "../.."], '--context "../..": expected a path inside'],
      [["--context", "."], '--context ".": expected a directory with a Dockerfile, found none'],
    ];
    for (const [args, message] of cases) {
      const dir = tempDir("devstack-init-flags-");
      const r = devstack(["init", ...args, "--json"], { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(jsonError(r.stdout)).toMatchObject({ kind: "usage", message: expect.stringContaining(message) });
      expect(existsSync(join(dir, "devstack.yaml"))).toBe(false);
    }
  });

  it("refuses to plan a build of a Dockerfile that is not there, and says what it must run", () => {
    const dir = tempDir("devstack-init-procfile-");
    writeFileSync(join(dir, "package.json"), '{"name":"procs"}');
    writeFileSync(join(dir, "Procfile"), "web: node src/web.js\n");
    const r = devstack(["init"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no Dockerfile found");
    expect(r.stderr).toContain("--dockerfile <path>");
    expect(r.stderr).toContain("node src/web.js");
    expect(existsSync(join(dir, "devstack.yaml"))).toBe(false);
  });

  it("builds from the Dockerfile and context the flags name, in a monorepo", () => {
    const dir = tempDir("devstack-init-mono-");
    mkdirSync(join(dir, "services", "api"), { recursive: true });
    writeFileSync(join(dir, "services", "api", "Dockerfile"), "FROM node:22-slim\nEXPOSE 4000\n");
    writeFileSync(join(dir, "package.json"), '{"name":"mono"}');
    expect(devstack(["init", "--dockerfile", "services/api/Dockerfile", "--context", "."], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, "devstack.yaml"), "utf8")).toMatch(/build: \{context: \., dockerfile: services\/api\/Dockerfile\}/);
    expect(devstack(["render", "--profile", "prod"], { cwd: dir, env: { DEVSTACK_OFFLINE: "1" } }).code).toBe(0);
  });
});

describe("doctor", () => {
  it("reports an unreachable Docker engine as a failure with its fix", () => {
    const r = devstack(["doctor", "--json"], { env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
    expect(r.code).toBe(1);
    const report = jsonResult<{ ok: boolean; checks: { id: string; status: string; fix?: string }[] }>(r.stdout);
    expect(report.ok).toBe(false);
    const docker = report.checks.find((c) => c.id === "docker");
    expect(docker).toMatchObject({ status: "fail", fix: expect.stringContaining("start the engine") });
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(["node", "docker", "helm", "inotify", "port:http", "port:registry", "cluster:prod"]));
  });
});
