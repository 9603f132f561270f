import { describe, expect, it } from "vitest";
import type { Found } from "../facts.js";
import { manifestFacts } from "./manifests.js";
import { memoryRepo } from "./util.js";

const brief = (facts: Found[]) => facts.map((f) => [f.kind, f.value, f.source]);

describe("app.json", () => {
  const appJson = JSON.stringify(
    {
      name: "x",
      formation: { web: { quantity: 1 }, worker: { quantity: 1 } },
      scripts: { postdeploy: "bundle exec rake db:schema:load" },
      env: { SECRET_KEY_BASE: { generator: "secret" }, LANG: "en_US.UTF-8" },
      addons: ["heroku-postgresql:essential-0", { plan: "heroku-redis:mini" }, "papertrail"],
    },
    null,
    2,
  );
  it("reads formation, postdeploy, env and add-ons", () => {
    expect(brief(manifestFacts(memoryRepo({ "app.json": appJson })))).toEqual([
      ["process", { name: "web", role: "web" }, "app.json:4"],
      ["process", { name: "worker", role: "worker" }, "app.json:7"],
      ["migrate", { command: ["bundle", "exec", "rake", "db:schema:load"] }, "app.json:12"],
      ["env", { name: "SECRET_KEY_BASE", from: "manifest" }, "app.json:15"],
      ["env", { name: "LANG", from: "manifest" }, "app.json:18"],
      ["service", { service: "database", by: "heroku-postgresql:essential-0" }, "app.json:21"],
      ["service", { service: "redis", by: "heroku-redis:mini" }, "app.json:23"],
    ]);
  });
  it("ignores a malformed app.json", () => {
    expect(manifestFacts(memoryRepo({ "app.json": "{ nope" }))).toEqual([]);
  });
});

describe("fly.toml", () => {
  const fly = `app = "shop"
[build]
  dockerfile = "Dockerfile"
[deploy]
  release_command = "bin/rails db:migrate"
[processes]
  app = "bin/rails server"
  worker = "bundle exec sidekiq"
[http_service]
  internal_port = 3000
  processes = ["app"]
  [[http_service.checks]]
    path = "/up"
`;
  it("reads internal_port, processes, release_command and checks", () => {
    expect(brief(manifestFacts(memoryRepo({ "fly.toml": fly })))).toEqual([
      ["port", { port: 3000 }, "fly.toml:10"],
      ["health", { path: "/up" }, "fly.toml:13"],
      ["process", { name: "app", role: "web", command: ["bin/rails", "server"] }, "fly.toml:7"],
      ["process", { name: "worker", role: "worker", command: ["bundle", "exec", "sidekiq"] }, "fly.toml:8"],
      ["migrate", { command: ["bin/rails", "db:migrate"] }, "fly.toml:5"],
    ]);
  });
  it("reads top-level [checks] and [[services]]", () => {
    const facts = manifestFacts(memoryRepo({ "fly.toml": `[[services]]\ninternal_port = 8080\n[checks.alive]\ntype = "http"\npath = "/healthz"\n` }));
    expect(brief(facts)).toEqual([
      ["port", { port: 8080 }, "fly.toml:2"],
      ["health", { path: "/healthz" }, "fly.toml:5"],
    ]);
  });
  it("ignores malformed TOML", () => {
    expect(manifestFacts(memoryRepo({ "fly.toml": "[http_service\ninternal_port = 3000" }))).toEqual([]);
  });
});

describe("render.yaml", () => {
  const render = `services:
  - type: web
    name: api
    runtime: docker
    dockerfilePath: ./services/api/Dockerfile
    dockerContext: ./services/api
    startCommand: node server.js
    healthCheckPath: /healthz
    preDeployCommand: npm run migrate
    envVars:
      - key: DATABASE_URL
        fromDatabase: { name: db, property: connectionString }
  - type: worker
    name: jobs
    startCommand: node worker.js
  - type: cron
    name: nightly
    schedule: "0 3 * * *"
    startCommand: node nightly.js
  - type: redis
    name: cache
databases:
  - name: db
`;
  it("reads web, worker and cron services, key-value stores and databases", () => {
    expect(brief(manifestFacts(memoryRepo({ "render.yaml": render })))).toEqual([
      ["process", { name: "api", role: "web", command: ["node", "server.js"], health: "/healthz", dockerfile: "services/api/Dockerfile", context: "services/api", env: ["DATABASE_URL"] }, "render.yaml:3"],
      ["migrate", { command: ["npm", "run", "migrate"] }, "render.yaml:9"],
      ["process", { name: "jobs", role: "worker", command: ["node", "worker.js"] }, "render.yaml:14"],
      ["process", { name: "nightly", role: "scheduled", command: ["node", "nightly.js"], schedule: "0 3 * * *" }, "render.yaml:17"],
      ["service", { service: "redis", by: "render redis" }, "render.yaml:21"],
      ["service", { service: "database", by: "render database db" }, "render.yaml:12"],
    ]);
  });
});
