import { describe, expect, it } from "vitest";
import { collectFacts, memoryRepo } from "./evidence/index.js";
import { productionCommand } from "./evidence/compose.js";
import { infer } from "./infer.js";

// Shapes found in real public apps (docker-rails-example, awesome-compose,
// full-stack-fastapi-template, testdriven fastapi-crud), cut down to the
// files that decide each answer.

const run = (files: Record<string, string>) => infer(collectFacts(memoryRepo(files)), { name: "app" });
const components = (files: Record<string, string>) => run(files).app.components as Record<string, Record<string, unknown>>;

describe("compose merge keys and one-shot services", () => {
  const compose = `x-app: &default-app
  build:
    context: "."
    target: "app"
  restart: unless-stopped
x-assets: &default-assets
  build:
    context: "."
    target: "assets"
  profiles: ["assets"]
services:
  postgres:
    image: postgres:16
  web:
    <<: *default-app
    ports:
      - "\${DOCKER_WEB_PORT_FORWARD:-127.0.0.1:8000}:\${PORT:-8000}"
    profiles: ["web"]
  worker:
    <<: *default-app
    command: "bundle exec sidekiq -C config/sidekiq.yml"
    profiles: ["worker"]
  cable:
    <<: *default-app
    command: "puma -p 28080 cable/config.ru"
    ports:
      - "\${DOCKER_CABLE_PORT_FORWARD:-127.0.0.1:28080}:\${CABLE_PORT:-28080}"
  js:
    <<: *default-assets
    command: "yarn build"
  seed:
    <<: *default-app
    command: "bin/rails db:seed"
    restart: "no"
  migrate:
    <<: *default-app
    command: "bin/rails db:migrate"
    restart: "no"
`;
  const dockerfile = 'FROM ruby:3.3 AS assets\nCMD ["bash"]\nFROM ruby:3.3 AS app\nEXPOSE 8000\nCMD ["rails", "s"]\n';
  const files = { "compose.yaml": compose, Dockerfile: dockerfile, Gemfile: 'gem "rails"\ngem "pg"\ngem "sidekiq"\n' };

  it("honours <<: *anchor, so web, worker and cable are components with their own ports", () => {
    const c = components(files);
    expect(Object.keys(c).sort()).toEqual(["cable", "web", "worker"]);
    expect(c.web).toMatchObject({ build: { context: ".", dockerfile: "Dockerfile", target: "app" }, port: 8000, routes: [{ path: "/" }] });
    expect(c.worker).toEqual({ image: "web", command: ["bundle", "exec", "sidekiq", "-C", "config/sidekiq.yml"] });
    expect(c.cable).toMatchObject({ image: "web", command: ["puma", "-p", "28080", "cable/config.ru"], port: 28080 });
  });

  it("leaves one-shot services out with a warning, and takes a one-shot migration as the migration", () => {
    const { app, problems } = run(files);
    expect(problems.filter((p) => /runs once/.test(p))).toEqual([
      "compose service js runs once (profiles: assets); it is not a long-running component and was left out (compose.yaml:28)",
      "compose service seed runs once (restart: no); it is not a long-running component and was left out (compose.yaml:31)",
    ]);
    expect(app.migrate).toEqual({ command: ["bin/rails", "db:migrate"] });
  });

  it("does not take `migrate && gunicorn` for a one-shot", () => {
    const c = components({
      "docker-compose.yml": 'services:\n  web:\n    build: .\n    command: sh -c "python manage.py migrate && gunicorn app.wsgi -b 0.0.0.0:8000"\n    ports: ["8000:8000"]\n',
      Dockerfile: "FROM python:3.12\n",
    });
    expect(Object.keys(c)).toEqual(["web"]);
  });
});

describe("compose services without ports", () => {
  it("is the web component when nginx proxies to it, with no duplicate built from the same Dockerfile", () => {
    const c = components({
      "compose.yaml": "services:\n  backend:\n    build:\n      context: backend\n      target: builder\n  db:\n    image: postgres\n  proxy:\n    image: nginx\n    ports: [80:80]\n",
      "proxy/nginx.conf": "server {\n  listen 80;\n  location / {\n    proxy_pass http://backend:8000;\n  }\n}\n",
      "backend/Dockerfile": 'FROM golang AS builder\nCMD ["/code/bin/backend"]\nFROM builder AS dev-envs\nCMD ["go", "run", "main.go"]\nFROM scratch\nCMD ["/usr/local/bin/backend"]\n',
      "backend/go.mod": "module example.com/backend\n\nrequire github.com/lib/pq v1.10.0\n",
      "backend/main.go": 'package main\nfunc main() { http.ListenAndServe(":8000", nil) }\n',
    });
    expect(c).toEqual({
      backend: { build: { context: "backend", dockerfile: "Dockerfile", target: "builder" }, port: 8000, routes: [{ path: "/" }], readiness: { tcp: true } },
    });
  });

  it("makes compose's web and render.yaml's service, one image without a command of its own, one component", () => {
    const { app } = run({
      "compose.yaml": "services:\n  web:\n    build:\n      context: ./\n      dockerfile: development.Dockerfile\n    command: bash -c \"rm -f tmp/pids/server.pid && bin/rails s -p 3000 -b '0.0.0.0'\"\n    ports: ['3000:3000']\n",
      "render.yaml": "services:\n  - type: web\n    name: mysite\n    runtime: docker\n    dockerfilePath: ./Dockerfile\n    envVars:\n      - key: SECRET_KEY_BASE\n        sync: false\n      - key: REDIS_HOST\n        value: x\n",
      "development.Dockerfile": 'FROM ruby:3.3\nEXPOSE 3000\nCMD ["bin/rails", "s"]\n',
      Dockerfile: 'FROM ruby:3.3\nEXPOSE 3000\nCMD ["./bin/thrust", "./bin/rails", "server"]\n',
      Gemfile: 'gem "rails"\ngem "pg"\ngem "redis"\n',
      "config/cable.yml": 'production:\n  url: <%= ENV.fetch("REDIS_URL") { "redis://localhost:6379/1" } %>\n',
    });
    expect(Object.keys(app.components as object)).toEqual(["web"]);
    expect((app.components as Record<string, unknown>).web).toMatchObject({ build: { context: ".", dockerfile: "Dockerfile" } });
    // Rails reads SECRET_KEY_BASE itself; REDIS_HOST is a key nothing reads.
    expect(app.secrets).toEqual({ SECRET_KEY_BASE: { generate: { type: "hex", bytes: 64 } } });
    expect(app.redis).toEqual({});
  });

  it("keeps a service nothing reaches and whose image names no port a worker, without a web twin", () => {
    const c = components({ "docker-compose.yml": "services:\n  bot:\n    build: .\n", Dockerfile: 'FROM python:3.12\nCMD ["python", "bot.py"]\n' });
    expect(c).toEqual({ bot: { build: { context: ".", dockerfile: "Dockerfile" } } });
  });

  it("takes traefik's loadbalancer port and another service's URL as the port it serves", () => {
    const c = components({
      "docker-compose.yml":
        "services:\n  backend:\n    build: ./backend\n    labels:\n      - traefik.http.services.backend.loadbalancer.server.port=80\n  frontend:\n    build: ./frontend\n    environment:\n      API_URL: http://api:4000\n  api:\n    build: ./api\n",
      "backend/Dockerfile": 'FROM python:3.12\nCMD ["fastapi", "run", "--port", "80"]\n',
      "frontend/Dockerfile": "FROM nginx\nEXPOSE 80\n",
      "api/Dockerfile": "FROM node:22\n",
    });
    expect(c.backend).toMatchObject({ port: 80 });
    expect(c.api).toMatchObject({ port: 4000 });
    // Its Dockerfile EXPOSEs a port and nothing gives it a command of its own: it serves.
    expect(c.frontend).toMatchObject({ port: 80 });
  });
});

describe("development choices", () => {
  it("builds compose's target, with that stage's port and command, not a later development stage", () => {
    const c = components({
      "compose.yaml": "services:\n  backend:\n    build:\n      context: backend\n      target: development\n    command: npm run start-watch\n    ports: [80:80]\n",
      "backend/Dockerfile": 'FROM node:lts AS development\nARG PORT=80\nENV PORT $PORT\nEXPOSE $PORT 9229\nCMD ["node", "src/index.js"]\nFROM development AS dev-envs\nRUN apt-get install git\n',
    });
    expect(c.backend).toMatchObject({ build: { context: "backend", dockerfile: "Dockerfile", target: "development" }, port: 80 });
    // The watcher is development's: the image's CMD runs.
    expect(c.backend?.command).toBeUndefined();
  });

  it("builds the production last stage when compose names a development target (target: dev)", () => {
    const c = components({
      "docker-compose.yml": "services:\n  vote:\n    build:\n      context: ./vote\n      target: dev\n    command: python app.py\n    ports: [8080:80]\n",
      "vote/Dockerfile": 'FROM python:3.11-slim AS base\nFROM base AS dev\nCMD ["python", "app.py"]\nFROM base AS final\nEXPOSE 80\nCMD ["gunicorn", "app:app", "-b", "0.0.0.0:80"]\n',
    });
    expect(c.vote).toMatchObject({ build: { context: "vote", dockerfile: "Dockerfile", target: "final" }, port: 80 });
  });

  it("leaves out a reverse proxy compose builds in front of the app", () => {
    const { app, problems } = run({
      "docker-compose.prod.yml": "services:\n  web:\n    build: ./app\n    command: gunicorn hello.wsgi --bind 0.0.0.0:8000\n    expose: [8000]\n  nginx:\n    build: ./nginx\n    ports: [1337:80]\n",
      "app/Dockerfile": "FROM python:3.12\n",
      "nginx/Dockerfile": "FROM nginx:1.25\nCOPY nginx.conf /etc/nginx/conf.d\n",
      "nginx/nginx.conf": "upstream app {\n  server web:8000;\n}\nserver {\n  location / { proxy_pass http://app; }\n}\n",
    });
    expect(Object.keys(app.components as object)).toEqual(["web"]);
    expect(problems.some((p) => p.startsWith("compose service nginx is a reverse proxy (nginx:1.25)"))).toBe(true);
  });

  it("prefers docker-compose.prod.yml's build and command to docker-compose.yml's", () => {
    const { app, guesses } = run({
      "docker-compose.yml": "services:\n  web:\n    build:\n      context: ./app\n      dockerfile: Dockerfile\n    command: python manage.py runserver 0.0.0.0:8000\n    ports: [8000:8000]\n",
      "docker-compose.prod.yml": "services:\n  web:\n    build:\n      context: ./app\n      dockerfile: Dockerfile.prod\n    command: gunicorn hello.wsgi:application --bind 0.0.0.0:8000\n    expose: [8000]\n",
      "app/Dockerfile": "FROM python:3.12\n",
      "app/Dockerfile.prod": "FROM python:3.12\n",
    });
    expect((app.components as Record<string, unknown>).web).toMatchObject({ build: { context: "app", dockerfile: "Dockerfile.prod" }, command: ["gunicorn", "hello.wsgi:application", "--bind", "0.0.0.0:8000"], port: 8000 });
    expect(guesses.filter((g) => g.path.endsWith(".command"))).toEqual([]);
  });

  it("builds the plain Dockerfile rather than development.Dockerfile for the same context", () => {
    const c = components({
      "compose.yaml": "services:\n  web:\n    build:\n      context: .\n      dockerfile: development.Dockerfile\n    ports: [3000:3000]\n",
      "development.Dockerfile": "FROM node:22\n",
      Dockerfile: 'FROM node:22\nEXPOSE 3000\nCMD ["node", "server.js"]\n',
    });
    expect(c.web).toMatchObject({ build: { context: ".", dockerfile: "Dockerfile" } });
  });

  it("drops reloaders and wait-for loops, keeping a plain server command as a guess", () => {
    expect(productionCommand(["sh", "-c", "bash -c 'while !</dev/tcp/db/5432; do sleep 1; done; uvicorn app.main:app --reload --host 0.0.0.0 --port 8000'"])).toEqual({
      command: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"],
      dev: true,
    });
    expect(productionCommand(["nodemon", "src/index.js"])).toEqual({ dev: true });
    expect(productionCommand(["flask", "run", "--debug", "--host", "0.0.0.0"])).toEqual({ dev: true });
    expect(productionCommand(["gunicorn", "-w", "4", "app:app"])).toEqual({ command: ["gunicorn", "-w", "4", "app:app"], dev: false });
    const { app, guesses } = run({
      "docker-compose.yml": "services:\n  web:\n    build: ./src\n    command: |\n      bash -c 'while !</dev/tcp/db/5432; do sleep 1; done; uvicorn app.main:app --reload --port 8000'\n    ports: [8002:8000]\n",
      "src/Dockerfile": "FROM python:3.11\n",
    });
    expect((app.components as Record<string, unknown>).web).toMatchObject({ command: ["uvicorn", "app.main:app", "--port", "8000"] });
    expect(guesses.map((g) => g.path)).toContain("components.web.command");
  });
});

describe("service env mapping", () => {
  const base = { Dockerfile: 'FROM python:3.12\nEXPOSE 8000\nCMD ["gunicorn", "app:app"]\n' };

  it("maps the host, port and name variables the code reads near its database settings", () => {
    const django = run({
      ...base,
      "requirements.txt": "django\npsycopg2-binary\n",
      "app/settings.py": 'DATABASES = {"default": {\n  "NAME": os.environ.get("SQL_DATABASE"),\n  "USER": os.environ.get("SQL_USER"),\n  "PASSWORD": os.environ.get("SQL_PASSWORD"),\n  "HOST": os.environ.get("SQL_HOST"),\n  "PORT": os.environ.get("SQL_PORT"),\n}}\n',
    });
    expect(django.app.database).toMatchObject({ env: { SQL_DATABASE: "name", SQL_USER: "username", SQL_PASSWORD: "password", SQL_HOST: "host", SQL_PORT: "port" } });
    expect(django.app.secrets).toBeUndefined();

    const pydantic = run({
      ...base,
      "requirements.txt": "fastapi\nsqlmodel\npsycopg[binary]\n",
      "app/core/config.py": "class Settings(BaseSettings):\n    POSTGRES_SERVER: str\n    POSTGRES_PORT: int = 5432\n    POSTGRES_USER: str\n    POSTGRES_PASSWORD: str = ''\n    POSTGRES_DB: str = ''\n\n    def url(self):\n        LOCAL_NAME: str = 'x'\n",
    });
    expect(pydantic.app.database).toMatchObject({ env: { POSTGRES_SERVER: "host", POSTGRES_PORT: "port", POSTGRES_USER: "username", POSTGRES_PASSWORD: "password", POSTGRES_DB: "name" } });

    const rails = run({
      ...base,
      Gemfile: 'gem "rails"\ngem "pg"\n',
      "config/database.yml": "default: &default\n  database: \"<%= ENV.fetch('POSTGRES_DB') { 'hello' } %>\"\n  host: \"<%= ENV.fetch('POSTGRES_HOST') { 'postgres' } %>\"\n",
    });
    expect(rails.app.database).toMatchObject({ env: { POSTGRES_DB: "name", POSTGRES_HOST: "host" } });
  });

  it("never maps a variable the code reads as a file's path, and warns about it", () => {
    const { app, problems } = run({
      ...base,
      "package.json": '{"dependencies": {"pg": "^8"}}',
      "src/config.js": "module.exports = {\n  host: process.env.DATABASE_HOST,\n  password: process.env.DATABASE_PASSWORD\n    ? fs.readFileSync(process.env.DATABASE_PASSWORD)\n    : null,\n  ca: process.env.PGSSLROOTCERT_FILE,\n};\n",
    });
    expect(app.database).toMatchObject({ env: { DATABASE_HOST: "host" } });
    expect(JSON.stringify(app)).not.toContain("DATABASE_PASSWORD");
    expect(problems.some((p) => p.startsWith("the code reads DATABASE_PASSWORD as the path of a file (src/config.js:3)"))).toBe(true);
  });

  it("does not map render.yaml keys nothing reads", () => {
    const { app } = run({
      ...base,
      "requirements.txt": "flask\npsycopg2\n",
      "app.py": 'url = os.environ["DATABASE_URL"]\n',
      "render.yaml": "services:\n  - type: web\n    name: app\n    envVars:\n      - key: DB_HOST\n        value: x\n",
    });
    expect(app.database).not.toHaveProperty("env");
  });

  it("gives SQLAlchemy postgresql+asyncpg only with create_async_engine", () => {
    const files = { ...base, "requirements.txt": "fastapi\nsqlalchemy\nasyncpg\ndatabases[postgresql]\npsycopg2-binary\n", "app/db.py": 'DATABASE_URL = os.getenv("DATABASE_URL")\nengine = create_engine(DATABASE_URL)\n' };
    expect(run(files).app.database).not.toHaveProperty("env");
    const asyncApp = run({ ...files, "app/db.py": 'DATABASE_URL = os.getenv("DATABASE_URL")\nengine = create_async_engine(DATABASE_URL)\n' });
    expect(asyncApp.app.database).toMatchObject({ env: { DATABASE_URL: { url: "postgresql+asyncpg" } } });
  });
});

describe("datastores devstack does not provide", () => {
  it("warns about connection strings that name a compose hostname, but not about an environment default", () => {
    const { problems } = run({
      "docker-compose.yml": "services:\n  web:\n    build: .\n    ports: [8000:8000]\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n",
      Dockerfile: "FROM python:3.12\n",
      "app/db.py": 'engine = create_engine("postgresql://user:pw@db:5432/app")\nurl = os.getenv("DATABASE_URL", "postgresql://user:pw@db:5432/app")\n',
      "app/cache.py": 'r = redis.Redis(host="cache", port=6379)\n',
    });
    expect(problems.filter((p) => p.includes("compose hostname"))).toEqual([
      'the code connects to the compose hostname "cache", which exists only inside compose\'s network: read the URL from the environment instead (app/cache.py:1)',
      'the code connects to the compose hostname "db", which exists only inside compose\'s network: read the URL from the environment instead (app/db.py:1)',
    ]);
  });


  it("reports MySQL, MongoDB and RabbitMQ as problems and never maps them to Postgres or Redis", () => {
    const { app, problems } = run({
      "docker-compose.yml": "services:\n  web:\n    build: .\n    ports: [3000:3000]\n  db:\n    image: mariadb:10.6\n  mq:\n    image: rabbitmq:3-management\n",
      Dockerfile: 'FROM node:22\nEXPOSE 3000\nCMD ["node", "index.js"]\n',
      "package.json": '{"dependencies": {"knex": "^2", "mysql2": "^3", "mongoose": "^8", "amqplib": "^0.10"}}',
      "index.js": "const url = process.env.DATABASE_URL;\nconst host = process.env.DATABASE_HOST;\nconst broker = process.env.BROKER_URL;\n",
    });
    expect(app.database).toBeUndefined();
    expect(app.redis).toBeUndefined();
    expect(problems.filter((p) => p.startsWith("devstack provides")).map((p) => p.split(":")[0])).toEqual([
      "devstack provides Postgres; this app uses MySQL (mariadb",
      "devstack provides Redis as its broker; this app uses RabbitMQ (rabbitmq",
      "devstack provides Postgres; this app uses MongoDB (mongoose, package.json",
    ]);
  });
});
