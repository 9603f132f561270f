import { describe, expect, it } from "vitest";
import type { Found } from "../facts.js";
import { depsFacts } from "./deps.js";
import { memoryRepo } from "./util.js";

const of = (facts: Found[], kind: Found["kind"]) => facts.filter((f) => f.kind === kind).map((f) => f.value);
const services = (facts: Found[]) => facts.flatMap((f) => (f.kind === "service" ? [`${f.value.service}:${f.value.by}`] : []));

describe("package.json", () => {
  const pkg = JSON.stringify(
    {
      name: "shop",
      engines: { node: ">=20" },
      scripts: { test: "vitest run", start: "express-start pg" },
      dependencies: { pg: "8", ioredis: "5", bullmq: "5", nodemailer: "6", "@aws-sdk/client-s3": "3", express: "4", "left-pad": "1" },
    },
    null,
    2,
  );

  it("finds language with version and test, services and framework with their lines", () => {
    const facts = depsFacts(memoryRepo({ "package.json": pkg }));
    expect(of(facts, "language")).toEqual([{ language: "node", version: ">=20", test: ["npm", "test"] }]);
    expect(services(facts)).toEqual(["database:pg", "redis:ioredis", "redis:bullmq", "mail:nodemailer", "storage:@aws-sdk/client-s3"]);
    expect(facts.find((f) => f.kind === "framework")).toEqual({ kind: "framework", value: { name: "express" }, source: "package.json:16", confirmed: true });
  });

  it("prefers a version file when engines says nothing, and the lockfile's package manager", () => {
    const repo = memoryRepo({ "package.json": '{"scripts":{"test":"jest"}}', ".nvmrc": "v22.11.0\n", "pnpm-lock.yaml": "" });
    expect(of(depsFacts(repo), "language")).toEqual([{ language: "node", version: "22.11.0", test: ["pnpm", "test"] }]);
  });

  it("ignores npm's placeholder test script", () => {
    const repo = memoryRepo({ "package.json": '{"scripts":{"test":"echo \\"Error: no test specified\\" && exit 1"}}' });
    expect(of(depsFacts(repo), "language")).toEqual([{ language: "node" }]);
  });

  it("counts Prisma as a database only with a postgresql provider", () => {
    const prisma = (provider: string) =>
      services(depsFacts(memoryRepo({ "package.json": '{"dependencies":{"@prisma/client":"5"}}', "prisma/schema.prisma": `datasource db {\n  provider = "${provider}"\n  url = env("DATABASE_URL")\n}\n` })));
    expect(prisma("postgresql")).toEqual(["database:@prisma/client"]);
    expect(prisma("sqlite")).toEqual([]);
  });

  it("skips a malformed package.json", () => {
    expect(depsFacts(memoryRepo({ "package.json": "{" }))).toEqual([]);
  });
});

describe("python", () => {
  it("merges requirements files in one directory, with extras", () => {
    const repo = memoryRepo({
      "requirements.txt": "# deps\nDjango==5.0\npsycopg2-binary>=2.9\ncelery[redis]==5.3\n-r requirements-dev.txt\ndjango_storages[s3]\n",
      "requirements-dev.txt": "pytest\n",
      ".python-version": "3.12\n",
    });
    const facts = depsFacts(repo);
    expect(of(facts, "language")).toEqual([{ language: "python", version: "3.12", test: ["pytest"] }]);
    expect(services(facts)).toEqual(["database:psycopg2-binary", "redis:celery[redis]", "storage:django-storages"]);
    expect(facts.find((f) => f.kind === "framework")).toMatchObject({ value: { name: "django" }, source: "requirements.txt:2" });
  });

  it("reads PEP 621, poetry and uv pyproject forms", () => {
    const pep621 = '[project]\nname = "api"\nrequires-python = ">=3.11"\ndependencies = ["fastapi>=0.110", "asyncpg", "boto3"]\n[dependency-groups]\ndev = ["pytest"]\n';
    const poetry = '[tool.poetry]\nname = "api"\n[tool.poetry.dependencies]\npython = "^3.12"\nflask = "^3"\nredis = "^5"\n[tool.poetry.group.dev.dependencies]\npytest = "*"\n';
    const uv = '[project]\nname = "api"\ndependencies = ["rq"]\n[tool.uv]\ndev-dependencies = ["pytest"]\n';
    expect(services(depsFacts(memoryRepo({ "pyproject.toml": pep621 })))).toEqual(["database:asyncpg", "storage:boto3"]);
    expect(of(depsFacts(memoryRepo({ "pyproject.toml": pep621 })), "language")).toEqual([{ language: "python", version: ">=3.11", test: ["pytest"] }]);
    const p = depsFacts(memoryRepo({ "pyproject.toml": poetry }));
    expect([services(p), of(p, "framework"), of(p, "language")]).toEqual([["redis:redis"], [{ name: "flask" }], [{ language: "python", version: "^3.12", test: ["pytest"] }]]);
    expect(services(depsFacts(memoryRepo({ "pyproject.toml": uv })))).toEqual(["redis:rq"]);
  });

  it("reads a Pipfile and falls back to manage.py test", () => {
    const facts = depsFacts(memoryRepo({ Pipfile: '[packages]\ndjango = "*"\npsycopg = {extras = ["binary"]}\n[requires]\npython_version = "3.12"\n', "manage.py": "" }));
    expect(of(facts, "language")).toEqual([{ language: "python", version: "3.12", test: ["python", "manage.py", "test"] }]);
    expect(services(facts)).toEqual(["database:psycopg"]);
  });
});

describe("other ecosystems", () => {
  it("Gemfile: services, rails, rspec and the ruby line", () => {
    const facts = depsFacts(memoryRepo({ Gemfile: 'source "https://rubygems.org"\nruby "3.3.0"\ngem "rails", "~> 7.1"\ngem "pg"\ngem "sidekiq"\ngem "aws-sdk-s3", require: false\ngroup :test do\n  gem "rspec-rails"\nend\n' }));
    expect(of(facts, "language")).toEqual([{ language: "ruby", version: "3.3.0", test: ["bundle", "exec", "rspec"] }]);
    expect(services(facts)).toEqual(["database:pg", "redis:sidekiq", "storage:aws-sdk-s3"]);
    expect(facts.find((f) => f.kind === "service")?.source).toBe("Gemfile:4");
  });

  it("go.mod: go line, drivers in both require forms", () => {
    const facts = depsFacts(memoryRepo({ "go.mod": "module github.com/acme/inventory/v2\n\ngo 1.22\n\nrequire github.com/lib/pq v1.10.9\nrequire (\n\tgithub.com/redis/go-redis/v9 v9.5.1\n\tgithub.com/aws/aws-sdk-go-v2/service/s3 v1.50.0 // indirect\n\tgithub.com/gin-gonic/gin v1.9.1\n)\n" }));
    expect(of(facts, "language")).toEqual([{ language: "go", version: "1.22", test: ["go", "test", "./..."] }]);
    expect(services(facts)).toEqual(["database:github.com/lib/pq", "redis:github.com/redis/go-redis/v9", "storage:github.com/aws/aws-sdk-go-v2/service/s3"]);
    expect(of(facts, "framework")).toEqual([{ name: "gin" }]);
  });

  it("pom.xml and build.gradle.kts: drivers, spring boot, wrappers", () => {
    const pom = "<project><properties><java.version>21</java.version></properties>\n<dependency><groupId>org.springframework.boot</groupId>\n<artifactId>spring-boot-starter-web</artifactId></dependency>\n<dependency><artifactId>postgresql</artifactId></dependency>\n<dependency><artifactId>spring-boot-starter-data-redis</artifactId></dependency>\n<dependency><artifactId>spring-boot-starter-mail</artifactId></dependency>\n</project>";
    const maven = depsFacts(memoryRepo({ "pom.xml": pom, mvnw: "" }));
    expect(of(maven, "language")).toEqual([{ language: "java", version: "21", test: ["./mvnw", "-B", "test"] }]);
    expect(services(maven)).toEqual(["database:postgresql", "redis:spring-boot-starter-data-redis", "mail:spring-boot-starter-mail"]);
    expect(of(maven, "framework")).toEqual([{ name: "spring-boot" }]);
    const gradle = depsFacts(memoryRepo({ "build.gradle.kts": 'plugins { id("org.springframework.boot") version "3.2.0" }\ndependencies {\n  runtimeOnly("org.postgresql:postgresql")\n  implementation("software.amazon.awssdk:s3:2.25.0")\n}\n', gradlew: "" }));
    expect(of(gradle, "language")).toEqual([{ language: "java", test: ["./gradlew", "test"] }]);
    expect(services(gradle)).toEqual(["database:postgresql", "storage:s3"]);
  });

  it("composer.json: laravel, doctrine, predis, phpunit", () => {
    const facts = depsFacts(memoryRepo({ "composer.json": '{"require":{"php":"^8.2","laravel/framework":"^11","predis/predis":"^2","doctrine/dbal":"^3"},"require-dev":{"phpunit/phpunit":"^10"}}' }));
    expect(of(facts, "language")).toEqual([{ language: "php", version: "^8.2", test: ["vendor/bin/phpunit"] }]);
    expect(services(facts)).toEqual(["redis:predis/predis", "database:doctrine/dbal"]);
    expect(of(facts, "framework")).toEqual([{ name: "laravel" }]);
  });

  it("Cargo.toml: sqlx only with a postgres feature", () => {
    const cargo = (sqlx: string) => depsFacts(memoryRepo({ "Cargo.toml": `[package]\nname = "svc"\nrust-version = "1.78"\n[dependencies]\nsqlx = ${sqlx}\naxum = "0.7"\nredis = "0.25"\nlettre = "0.11"\naws-sdk-s3 = "1"\n` }));
    const pg = cargo('{ version = "0.7", features = ["runtime-tokio", "postgres"] }');
    expect(services(pg)).toEqual(["database:sqlx", "redis:redis", "mail:lettre", "storage:aws-sdk-s3"]);
    expect(of(pg, "language")).toEqual([{ language: "rust", version: "1.78", test: ["cargo", "test"] }]);
    expect(of(pg, "framework")).toEqual([{ name: "axum" }]);
    expect(services(cargo('{ version = "0.7", features = ["sqlite"] }'))).not.toContain("database:sqlx");
  });
});
