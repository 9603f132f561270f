import { describe, expect, it } from "vitest";
import { composeContexts, composeFacts, composeFiles } from "./compose.js";
import { imageService } from "./images.js";
import { memoryRepo } from "./util.js";

const compose = `name: Shop
services:
  web:
    build: .
    command: bundle exec rails server -b 0.0.0.0
    ports: ["8080:3000"]
    environment:
      DATABASE_URL: postgres://db/shop
      REDIS_URL: redis://redis:6379
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:3000/up"]
    depends_on: [db, redis]
  worker:
    build:
      context: ./backend
      dockerfile: docker/Worker.Dockerfile
      target: prod
    command: ["bundle", "exec", "sidekiq"]
    environment:
      - REDIS_URL=redis://redis:6379
      - RAILS_ENV
  db:
    image: postgis/postgis:16-3.4
  redis:
    image: docker.io/library/valkey:8
  s3:
    image: minio/minio
  mail:
    image: axllent/mailpit:latest
  proxy:
    image: nginx
`;

describe("composeFacts", () => {
  const repo = memoryRepo({ "docker-compose.yml": compose, "backend/docker/Worker.Dockerfile": "FROM ruby\n" });
  const facts = composeFacts(repo);

  it("turns built services into processes with command, container port, health and env names", () => {
    expect(facts.find((f) => f.kind === "process" && f.value.name === "web")).toEqual({
      kind: "process",
      value: {
        name: "web",
        role: "web",
        context: ".",
        dockerfile: "Dockerfile",
        port: 3000,
        command: ["bundle", "exec", "rails", "server", "-b", "0.0.0.0"],
        health: "/up",
        env: ["DATABASE_URL", "REDIS_URL"],
      },
      source: "docker-compose.yml:3",
      confirmed: true,
    });
  });

  it("resolves build.context and build.dockerfile, and a service without ports is a worker", () => {
    const worker = facts.find((f) => f.kind === "process" && f.value.name === "worker");
    expect(worker?.kind === "process" && worker.value).toMatchObject({
      role: "worker",
      context: "backend",
      dockerfile: "backend/docker/Worker.Dockerfile",
      command: ["bundle", "exec", "sidekiq"],
      env: ["REDIS_URL", "RAILS_ENV"],
    });
    expect(worker?.source).toBe("docker-compose.yml:13");
  });

  it("turns backing images into services, not components, and ignores other images", () => {
    expect(facts.filter((f) => f.kind === "service").map((f) => [f.kind === "service" && f.value.service, f.source])).toEqual([
      ["database", "docker-compose.yml:22"],
      ["redis", "docker-compose.yml:24"],
      ["storage", "docker-compose.yml:26"],
      ["mail", "docker-compose.yml:28"],
    ]);
    expect(facts.some((f) => f.source === "docker-compose.yml:30")).toBe(false);
  });

  it("reads the project name", () => {
    expect(facts[0]).toMatchObject({ kind: "name", value: "shop", source: "docker-compose.yml" });
  });

  it("maps a Dockerfile to the context compose builds it with", () => {
    expect([...composeContexts(repo, composeFiles(repo))]).toEqual([
      ["Dockerfile", "."],
      ["backend/docker/Worker.Dockerfile", "backend"],
    ]);
  });

  it("resolves paths against a nested compose file and reads long-form ports", () => {
    const nested = memoryRepo({
      "deploy/compose.yaml": "services:\n  api:\n    build: ../services/api\n    ports:\n      - target: 4000\n        published: 80\n    healthcheck:\n      test: CMD-SHELL wget -q http://localhost:4000/healthz || exit 1\n",
    });
    expect(composeFacts(nested)[0]?.value).toMatchObject({ context: "services/api", dockerfile: "services/api/Dockerfile", port: 4000, health: "/healthz", role: "web" });
  });

  it("treats a service built FROM a backing image as that service", () => {
    const repo = memoryRepo({ "compose.yml": "services:\n  db:\n    build: ./db\n    ports: ['5432:5432']\n", "db/Dockerfile": "FROM postgres:16\nRUN apt-get install -y postgresql-16-pgvector\n" });
    expect(composeFacts(repo)).toEqual([{ kind: "service", value: { service: "database", by: "postgres:16" }, source: "compose.yml:2", confirmed: true }]);
  });

  it("skips malformed or hostile compose files without throwing", () => {
    const bad = memoryRepo({
      "compose.yml": "services: [\n",
      "a/compose.yml": "services:\n  web: 3\n  x:\n    build: 7\n",
      "b/compose.yml": 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nservices: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
    });
    expect(() => composeFacts(bad)).not.toThrow();
    expect(composeFacts(bad)).toEqual([]);
  });
});

describe("imageService", () => {
  it.each([
    ["postgres:16", "database"],
    ["ghcr.io/acme/pgvector/pgvector:pg16", "database"],
    ["bitnami/redis", "redis"],
    ["valkey/valkey:8", "redis"],
    ["localstack/localstack", "storage"],
    ["mailhog/mailhog", "mail"],
    ["maildev/maildev", "mail"],
    ["nginx:1", undefined],
    ["redisinsight", undefined],
  ])("%s → %s", (image, kind) => {
    expect(imageService(image)).toBe(kind);
  });
});
