import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Found } from "../facts.js";
import { collectFacts, memoryRepo, repoView } from "./index.js";

const brief = (facts: Found[]) => facts.map((f) => `${f.confirmed ? "+" : "?"}${f.kind} ${JSON.stringify(f.value)} @${f.source}`);
const has = (facts: Found[], line: string) => expect(brief(facts)).toContain(line);

describe("mixed repositories", () => {
  it("Rails + Sidekiq + Redis + Postgres", () => {
    const facts = collectFacts(
      memoryRepo({
        Gemfile: 'source "https://rubygems.org"\nruby "3.3.6"\ngem "rails", "~> 7.2"\ngem "pg"\ngem "sidekiq"\ngem "redis"\n',
        "config/routes.rb": 'Rails.application.routes.draw do\n  get "up" => "rails/health#show"\nend\n',
        "config/initializers/sidekiq.rb": 'Sidekiq.configure_server { |c| c.redis = { url: ENV.fetch("REDIS_URL") } }\n',
        "config/database.yml": "production:\n  url: <%= ENV['DATABASE_URL'] %>\n",
        Procfile: "web: bundle exec puma -C config/puma.rb\nworker: bundle exec sidekiq\nrelease: bin/rails db:migrate\n",
        Dockerfile: 'FROM ruby:3.3 AS build\nRUN bundle install\nFROM ruby:3.3-slim AS app\nEXPOSE 3000\nCMD ["./bin/rails", "server"]\n',
        "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n  redis:\n    image: redis:7\n",
      }),
    );
    has(facts, '+language {"language":"ruby","version":"3.3.6","test":["bin/rails","test"]} @Gemfile');
    has(facts, '+framework {"name":"rails"} @Gemfile:3');
    has(facts, '+service {"service":"database","by":"pg"} @Gemfile:4');
    has(facts, '+service {"service":"redis","by":"sidekiq"} @Gemfile:5');
    has(facts, '+service {"service":"database","by":"postgres:16"} @docker-compose.yml:2');
    has(facts, '+health {"path":"/up"} @config/routes.rb:2');
    has(facts, '+process {"name":"worker","role":"worker","command":["bundle","exec","sidekiq"]} @Procfile:2');
    has(facts, '+migrate {"command":["bin/rails","db:migrate"]} @Procfile:3');
    has(facts, '+dockerfile {"dockerfile":"Dockerfile","context":".","target":"app","port":3000,"command":["./bin/rails","server"],"stages":{"build":{}}} @Dockerfile');
    has(facts, '+env {"name":"REDIS_URL","from":"code"} @config/initializers/sidekiq.rb:1');
    // The same migration from Procfile and the Rails convention is one fact, the sighting kept.
    expect(facts.filter((f) => f.kind === "migrate")).toHaveLength(1);
    expect(facts.filter((f) => f.kind === "health")).toHaveLength(1);
  });

  it("Django with split DB_* variables and celery", () => {
    const settings = [
      "import os",
      'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]',
      "DATABASES = {",
      '    "default": {',
      '        "ENGINE": "django.db.backends.postgresql",',
      '        "HOST": os.environ.get("DB_HOST", "localhost"),',
      '        "PORT": os.getenv("DB_PORT", "5432"),',
      '        "NAME": os.environ["DB_NAME"],',
      '        "USER": os.environ.get("DB_USER"),',
      '        "PASSWORD": os.environ.get("DB_PASSWORD"),',
      "    }",
      "}",
      'CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL")',
    ].join("\n");
    const facts = collectFacts(
      memoryRepo({
        "pyproject.toml": '[project]\nname = "Mysite"\ndependencies = ["django>=5", "psycopg[binary]", "celery[redis]", "gunicorn"]\n',
        "manage.py": "",
        "mysite/settings.py": settings,
        "mysite/celery.py": 'app = Celery("mysite")\n',
        "polls/migrations/0001_initial.py": "",
        "polls/urls.py": 'urlpatterns = [path("healthz", views.health)]\n',
      }),
    );
    has(facts, '+name "mysite" @pyproject.toml');
    has(facts, '+framework {"name":"django"} @pyproject.toml:3');
    has(facts, '+service {"service":"database","by":"psycopg"} @pyproject.toml:3');
    has(facts, '+service {"service":"redis","by":"celery[redis]"} @pyproject.toml:3');
    has(facts, '+migrate {"command":["python","manage.py","migrate","--noinput"]} @manage.py');
    has(facts, '?process {"name":"celery","role":"worker","command":["celery","-A","mysite","worker"]} @pyproject.toml:3');
    for (const [name, line] of [["DB_HOST", 6], ["DB_PORT", 7], ["DB_NAME", 8], ["DB_USER", 9], ["DB_PASSWORD", 10]] as const) {
      has(facts, `+env {"name":"${name}","from":"code"} @mysite/settings.py:${line}`);
    }
  });

  it("monorepo: services/api/Dockerfile built by compose with the root as context", () => {
    const facts = collectFacts(
      memoryRepo({
        "package.json": '{"name":"@acme/platform","private":true,"workspaces":["services/*"]}',
        "services/api/package.json": '{"name":"api","dependencies":{"fastify":"4","pg":"8"},"scripts":{"test":"node --test"}}',
        "services/api/Dockerfile": 'FROM node:22\nWORKDIR /app\nCOPY . .\nENV PORT=4000\nCMD ["node", "services/api/server.js"]\n',
        "services/api/server.js": 'app.get("/healthz", async () => "ok");\nawait app.listen({ port: Number(process.env.PORT ?? 4000), host: "0.0.0.0" });\n',
        "services/web/Dockerfile": "FROM nginx\nEXPOSE 80\n",
        "docker-compose.yml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: services/api/Dockerfile\n    ports: ['4000:4000']\n  web:\n    build: services/web\n    ports: ['8080:80']\n  db:\n    image: postgres:16\n",
      }),
    );
    has(facts, '+name "platform" @package.json');
    has(facts, '+process {"name":"api","role":"web","context":".","dockerfile":"services/api/Dockerfile","port":4000} @docker-compose.yml:2');
    has(facts, '+dockerfile {"dockerfile":"services/api/Dockerfile","context":".","port":4000,"command":["node","services/api/server.js"]} @services/api/Dockerfile');
    has(facts, '+dockerfile {"dockerfile":"services/web/Dockerfile","context":"services/web","port":80} @services/web/Dockerfile');
    has(facts, '+language {"language":"node","test":["npm","test"]} @services/api/package.json');
    has(facts, '+health {"path":"/healthz","checks":false} @services/api/server.js:1');
    has(facts, '+port {"port":4000} @services/api/server.js:2');
  });
});

describe("robustness", () => {
  it("never throws on malformed or hostile files", () => {
    const junk = "\u0000{[\"'`\\".repeat(2000) + "a".repeat(20000);
    const files: Record<string, string> = {};
    for (const name of ["package.json", "Gemfile", "go.mod", "pom.xml", "build.gradle", "composer.json", "Cargo.toml", "pyproject.toml", "Pipfile", "requirements.txt", "Procfile", "app.json", "fly.toml", "render.yaml", "docker-compose.yml", "Dockerfile", ".env.example", "a.js", "a.py", "a.rb", "a.go", "config/routes.rb", "src/main/resources/application.yml"]) {
      files[name] = junk;
      files[`x/${name}`] = "";
    }
    const start = Date.now();
    expect(() => collectFacts(memoryRepo(files))).not.toThrow();
    expect(Date.now() - start).toBeLessThan(5000);
  });
});

describe("repoView", () => {
  const root = mkdtempSync(join(tmpdir(), "evidence-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("walks the tree, skipping vendored and build directories, big files and symlinks", () => {
    for (const d of ["src", "node_modules/x", ".git", "vendor", "dist", "build", "target", ".venv", "src/__pycache__"]) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, "package.json"), '{"name":"walked"}');
    writeFileSync(join(root, "src/a.js"), "process.env.A");
    for (const skipped of ["node_modules/x/index.js", ".git/HEAD", "vendor/a.rb", "dist/a.js", "build/a", "target/a", ".venv/a.py", "src/__pycache__/a.pyc"]) writeFileSync(join(root, skipped), "x");
    writeFileSync(join(root, "big.js"), "x".repeat(600 * 1024));
    symlinkSync(root, join(root, "loop"));
    const repo = repoView(root);
    expect(repo.files).toEqual(["package.json", "src/a.js"]);
    expect(repo.read("src/a.js")).toBe("process.env.A");
    expect(repo.read("big.js")).toBeUndefined();
    expect(repo.read("../etc/passwd")).toBeUndefined();
    const facts = collectFacts(repo);
    expect(facts[0]).toMatchObject({ kind: "name", value: "walked", source: "package.json", confirmed: true });
    expect(facts.some((f) => f.kind === "name" && !f.confirmed)).toBe(true);
  });
});
