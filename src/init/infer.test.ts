import { describe, expect, it } from "vitest";
import type { Fact, Found } from "./facts.js";
import { infer, secondaryRoute } from "./infer.js";

const at = (source: string, confirmed = true) => (fact: Fact): Found => ({ ...fact, source, confirmed });

const rails: Found[] = [
  at("Gemfile")({ kind: "name", value: "billing" }),
  at("Dockerfile")({ kind: "dockerfile", value: { dockerfile: "Dockerfile", context: ".", port: 3000, command: ["./bin/rails", "server"] } }),
  at("Gemfile:6")({ kind: "service", value: { service: "database", by: "pg" } }),
  at("Gemfile:8")({ kind: "service", value: { service: "redis", by: "sidekiq" } }),
  at("config/routes.rb:3")({ kind: "health", value: { path: "/up" } }),
  at("Gemfile:5", false)({ kind: "migrate", value: { command: ["bin/rails", "db:migrate"] } }),
  at("Gemfile:8", false)({ kind: "process", value: { name: "sidekiq", role: "worker", command: ["bundle", "exec", "sidekiq"] } }),
  at("config/initializers/sidekiq.rb:2")({ kind: "env", value: { name: "REDIS_URL", from: "code" } }),
  at(".env.example:1")({ kind: "env", value: { name: "DATABASE_URL", from: "example" } }),
  at(".env.example:3")({ kind: "env", value: { name: "SECRET_KEY_BASE", from: "example" } }),
  at("config/puma.rb:3")({ kind: "env", value: { name: "PORT", from: "code" } }),
];

describe("infer", () => {
  it("makes a Rails app with Sidekiq one image run twice, with its database, Redis and migration", () => {
    const { app, guesses, problems } = infer(rails);
    expect(problems).toEqual([]);
    expect(app).toEqual({
      name: "billing",
      components: {
        web: { build: { context: ".", dockerfile: "Dockerfile" }, port: 3000, routes: [{ path: "/" }], readiness: { http: "/up" }, liveness: { http: "/up" } },
        worker: { image: "web", command: ["bundle", "exec", "sidekiq"] },
      },
      secrets: { SECRET_KEY_BASE: { generate: { type: "hex", bytes: 64 } } },
      database: { name: "billing" },
      redis: {},
      migrate: { command: ["bin/rails", "db:migrate"] },
    });
    expect(guesses.map((g) => g.path)).toEqual(["components.worker", "migrate"]);
  });

  it("marks liveness on the readiness path a guess when the app has a database, unless the path is made for liveness", () => {
    const withHealth = (path: string) => infer(rails.map((f) => (f.kind === "health" ? { ...f, value: { path } } : f))).guesses.map((g) => g.path);
    expect(withHealth("/healthz")).toContain("components.web.liveness");
    expect(withHealth("/up")).not.toContain("components.web.liveness");
    expect(withHealth("/livez")).not.toContain("components.web.liveness");
  });

  it("derives Django's split database variables, and generates its secret key", () => {
    const facts: Found[] = [
      at("Dockerfile")({ kind: "dockerfile", value: { dockerfile: "Dockerfile", context: ".", port: 8000 } }),
      at("requirements.txt:2")({ kind: "service", value: { service: "database", by: "psycopg" } }),
      ...["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "STRIPE_API_KEY"].map((name) => at("mysite/settings.py:9")({ kind: "env", value: { name, from: "code" } })),
    ];
    const { app } = infer(facts, { fallbackName: "polls" });
    expect(app.database).toEqual({ name: "polls", env: { DB_HOST: "host", DB_PORT: "port", DB_NAME: "name", DB_USER: "username", DB_PASSWORD: "password" } });
    expect(app.env).toEqual({ DJANGO_ALLOWED_HOSTS: "${host}" });
    expect(app.secrets).toEqual({ DJANGO_SECRET_KEY: { generate: { type: "random", length: 50 } }, STRIPE_API_KEY: { external: true } });
  });

  it("maps Celery's broker, S3 bucket names and Django's mail settings to the services' parts", () => {
    const env = ["CELERY_BROKER_URL", "AWS_STORAGE_BUCKET_NAME", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "DEFAULT_FROM_EMAIL"];
    const facts: Found[] = [
      at("Dockerfile")({ kind: "dockerfile", value: { dockerfile: "Dockerfile", context: ".", port: 8000, health: "/health" } }),
      ...env.map((name) => at("settings.py")({ kind: "env", value: { name, from: "code" } })),
    ];
    const { app, guesses } = infer(facts, { name: "shop" });
    expect(app.redis).toEqual({ env: { CELERY_BROKER_URL: "url" } });
    expect(app.storage).toEqual({ env: { AWS_STORAGE_BUCKET_NAME: "bucket", AWS_ENDPOINT_URL_S3: "endpoint", AWS_REGION: "region" } });
    expect(app.mail).toEqual({ env: { EMAIL_HOST: "host", EMAIL_PORT: "port", EMAIL_HOST_USER: "username", EMAIL_HOST_PASSWORD: "password", DEFAULT_FROM_EMAIL: "from" } });
    // Implied by variable names alone: each is a guess.
    expect(guesses.map((g) => g.path)).toEqual(expect.arrayContaining(["redis", "storage", "mail"]));
    expect(app).not.toHaveProperty("secrets");
  });

  it("builds each service of a monorepo from its own context, the web at / and the API under its name", () => {
    const facts: Found[] = [
      at("services/api/Dockerfile")({ kind: "dockerfile", value: { dockerfile: "services/api/Dockerfile", context: "services/api", port: 4000, health: "/healthz" } }),
      at("services/web/Dockerfile")({ kind: "dockerfile", value: { dockerfile: "services/web/Dockerfile", context: "services/web" } }),
      at("services/web/server.js:18")({ kind: "port", value: { port: 3000 } }),
      at("services/api/package.json")({ kind: "migrate", value: { command: ["node", "src/migrate.js"] } }),
    ];
    const { app, guesses } = infer(facts, { name: "bookings" });
    const components = app.components as Record<string, Record<string, unknown>>;
    expect(Object.keys(components)).toEqual(["api", "web"]);
    expect(components.api).toMatchObject({ build: { context: "services/api", dockerfile: "Dockerfile" }, port: 4000, routes: [{ path: "/api" }], readiness: { http: "/healthz" } });
    expect(components.web).toMatchObject({ build: { context: "services/web" }, port: 3000, routes: [{ path: "/" }], readiness: { tcp: true } });
    expect(guesses.map((g) => g.path)).toEqual(["components.api.routes", "components.web.readiness"]);
  });

  it("lets --dockerfile and --context override the primary component's build", () => {
    const facts: Found[] = [at("services/api/Dockerfile")({ kind: "dockerfile", value: { dockerfile: "services/api/Dockerfile", context: "services/api", port: 4000 } })];
    const { app } = infer(facts, { name: "x", dockerfile: "docker/api.Dockerfile", context: "." });
    expect((app.components as Record<string, unknown>).web).toMatchObject({ build: { context: ".", dockerfile: "docker/api.Dockerfile" } });
  });

  it("compose's build context is the truth, and workers on the web image get its command", () => {
    const facts: Found[] = [
      at("docker/Dockerfile")({ kind: "dockerfile", value: { dockerfile: "docker/Dockerfile", context: ".", port: 5000 } }),
      at("compose.yaml:3")({ kind: "process", value: { name: "web", role: "web", dockerfile: "docker/Dockerfile", context: ".", port: 5000 } }),
      at("compose.yaml:9")({ kind: "process", value: { name: "worker", role: "worker", dockerfile: "docker/Dockerfile", context: ".", command: ["celery", "-A", "app", "worker"] } }),
      at("compose.yaml:20")({ kind: "process", value: { name: "nightly", role: "scheduled", dockerfile: "docker/Dockerfile", context: ".", schedule: "0 3 * * *", command: ["python", "nightly.py"] } }),
    ];
    const { app, guesses } = infer(facts, { name: "x" });
    expect(app.components).toEqual({
      web: { build: { context: ".", dockerfile: "docker/Dockerfile" }, port: 5000, routes: [{ path: "/" }], readiness: { tcp: true } },
      worker: { image: "web", command: ["celery", "-A", "app", "worker"] },
    });
    expect(app.jobs).toEqual({ nightly: { schedule: "0 3 * * *", command: ["python", "nightly.py"] } });
    expect(guesses).toContainEqual({ path: "components.web.readiness", value: { tcp: true }, why: expect.stringContaining("no health endpoint") });
  });

  it("marks a framework's usual port as a guess, and assumes 8080 when nothing names one", () => {
    const dockerfile = at("Dockerfile")({ kind: "dockerfile", value: { dockerfile: "Dockerfile", context: "." } });
    const usual = infer([dockerfile, at("package.json", false)({ kind: "port", value: { port: 3000 } })], { name: "x" });
    expect(usual.guesses).toContainEqual(expect.objectContaining({ path: "components.web.port", value: 3000 }));
    const none = infer([dockerfile], { name: "x" });
    expect(none.guesses).toContainEqual(expect.objectContaining({ path: "components.web.port", value: 8080 }));
    expect(infer([dockerfile], { name: "x", port: 9000 }).app.components).toMatchObject({ web: { port: 9000 } });
  });

  it("writes no SESSION_KEY or PUBLIC_URL the code does not read", () => {
    const { app } = infer([at("Dockerfile")({ kind: "dockerfile", value: { dockerfile: "Dockerfile", context: ".", port: 80 } })], { name: "x" });
    expect(app).not.toHaveProperty("env");
    expect(app).not.toHaveProperty("secrets");
    expect(app).not.toHaveProperty("database");
  });

  it("says what the missing Dockerfile must run for a Procfile app", () => {
    const { problems } = infer([at("Procfile:1")({ kind: "process", value: { name: "web", role: "web", command: ["node", "src/web.js"] } })], { name: "x" });
    expect(problems).toEqual([expect.stringMatching(/^no Dockerfile found: add one whose CMD runs the web process \(node src\/web.js\).*--dockerfile <path>/)]);
    expect(infer([], { name: "x" }).problems).toEqual(["no Dockerfile found: add a Dockerfile, or name one with --dockerfile <path>"]);
  });
});

describe("secondaryRoute", () => {
  it("serves a component under its one mounted prefix or shared first segment, on a subdomain when it has pages at /", () => {
    expect(secondaryRoute("api", [{ prefix: "/api", mount: true }, { prefix: "/bookings" }])).toEqual({ route: { path: "/api" } });
    expect(secondaryRoute("api", [{ prefix: "/v2" }])).toEqual({ route: { path: "/v2" } });
    expect(secondaryRoute("result", [{ prefix: "/tally" }, { prefix: "/" }])).toMatchObject({ route: { subdomain: "result" }, why: expect.stringContaining("pages at /") });
    expect(secondaryRoute("admin_ui", [{ prefix: "/" }]).route).toEqual({ subdomain: "admin-ui" });
    expect(secondaryRoute("api", [{ prefix: "/users" }, { prefix: "/orders" }])).toMatchObject({ route: { path: "/api" }, why: expect.any(String) });
    expect(secondaryRoute("api", [])).toMatchObject({ route: { path: "/api" }, why: expect.any(String) });
  });
});
