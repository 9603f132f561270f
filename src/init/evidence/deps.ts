import type { Found, Language, RepoView, ServiceKind } from "../facts.js";
import { manifests, nearby, type Manifest } from "./packages.js";
import { found, within } from "./util.js";

type Rule = [name: string | RegExp, what: ServiceKind | { framework: string } | { unsupported: string }];

const no = (unsupported: string): { unsupported: string } => ({ unsupported });

const fw = (framework: string): { framework: string } => ({ framework });

const RULES: Record<Language, Rule[]> = {
  node: [
    [/^(?:pg|postgres|pg-promise|sequelize|knex|typeorm|drizzle-orm|kysely|@neondatabase\/serverless|@mikro-orm\/postgresql|slonik)$/, "database"],
    [/^(?:mysql2?|mariadb)$/, no("MySQL")],
    [/^(?:mongodb|mongoose)$/, no("MongoDB")],
    [/^(?:amqplib|amqp-connection-manager)$/, no("RabbitMQ")],
    [/^(?:redis|ioredis|bullmq|bull|@redis\/client|bee-queue)$/, "redis"],
    [/^(?:nodemailer|@sendgrid\/mail|postmark|mailgun\.js|mailgun-js|resend|@react-email\/components)$/, "mail"],
    [/^(?:@aws-sdk\/client-s3|aws-sdk|minio)$/, "storage"],
    ["next", fw("next")],
    ["express", fw("express")],
    ["fastify", fw("fastify")],
    ["@nestjs/core", fw("nestjs")],
    ["koa", fw("koa")],
    ["hono", fw("hono")],
    ["@remix-run/node", fw("remix")],
    ["nuxt", fw("nuxt")],
    ["@sveltejs/kit", fw("sveltekit")],
  ],
  python: [
    [/^(?:psycopg|psycopg2|psycopg2-binary|psycopg-binary|psycopg-c|asyncpg|sqlalchemy|sqlmodel|dj-database-url|pg8000|tortoise-orm)$/, "database"],
    [/^(?:mysqlclient|pymysql|mysql-connector-python|aiomysql)$/, no("MySQL")],
    [/^(?:pymongo|motor|mongoengine|djongo)$/, no("MongoDB")],
    [/^(?:pika|aio-pika)$/, no("RabbitMQ")],
    [/^(?:redis|rq|django-redis|aioredis|arq|celery\[redis\]|dramatiq\[redis\]|django-rq)$/, "redis"],
    [/^(?:boto3|aioboto3|django-storages|minio|s3fs)$/, "storage"],
    [/^(?:django-anymail|sendgrid|flask-mail|flask-mailman|fastapi-mail)$/, "mail"],
    ["django", fw("django")],
    ["flask", fw("flask")],
    ["fastapi", fw("fastapi")],
  ],
  ruby: [
    [/^(?:pg|activerecord-postgis-adapter)$/, "database"],
    [/^(?:mysql2|trilogy)$/, no("MySQL")],
    [/^(?:mongoid|mongo)$/, no("MongoDB")],
    [/^(?:bunny|sneakers)$/, no("RabbitMQ")],
    [/^(?:redis|sidekiq|resque|redis-client|hiredis|kredis)$/, "redis"],
    [/^(?:aws-sdk-s3|fog-aws)$/, "storage"],
    [/^(?:postmark-rails|sendgrid-ruby|mailgun-ruby)$/, "mail"],
    ["rails", fw("rails")],
    ["sinatra", fw("sinatra")],
  ],
  go: [
    [/^(?:github\.com\/lib\/pq|github\.com\/jackc\/pgx(?:\/v\d+)?|gorm\.io\/driver\/postgres|github\.com\/go-pg\/pg(?:\/v\d+)?)$/, "database"],
    [/^(?:github\.com\/go-sql-driver\/mysql|gorm\.io\/driver\/mysql)$/, no("MySQL")],
    [/^go\.mongodb\.org\/mongo-driver(?:\/v\d+)?$/, no("MongoDB")],
    [/^(?:github\.com\/streadway\/amqp|github\.com\/rabbitmq\/amqp091-go)$/, no("RabbitMQ")],
    [/^(?:github\.com\/go-redis\/redis(?:\/v\d+)?|github\.com\/redis\/go-redis(?:\/v\d+)?|github\.com\/gomodule\/redigo|github\.com\/redis\/rueidis)$/, "redis"],
    [/^(?:github\.com\/aws\/aws-sdk-go|github\.com\/aws\/aws-sdk-go-v2\/service\/s3|github\.com\/minio\/minio-go(?:\/v\d+)?)$/, "storage"],
    [/^(?:github\.com\/sendgrid\/sendgrid-go|gopkg\.in\/gomail\.v2|github\.com\/wneessen\/go-mail)$/, "mail"],
    [/^github\.com\/gin-gonic\/gin$/, fw("gin")],
    [/^github\.com\/labstack\/echo(?:\/v\d+)?$/, fw("echo")],
    [/^github\.com\/gofiber\/fiber(?:\/v\d+)?$/, fw("fiber")],
    [/^github\.com\/go-chi\/chi(?:\/v\d+)?$/, fw("chi")],
  ],
  java: [
    [/^(?:postgresql|r2dbc-postgresql)$/, "database"],
    [/^(?:mysql-connector-j|mysql-connector-java|mariadb-java-client)$/, no("MySQL")],
    [/^(?:jedis|lettuce-core|spring-boot-starter-data-redis|spring-boot-starter-data-redis-reactive|redisson)$/, "redis"],
    [/^(?:spring-boot-starter-mail|jakarta\.mail|javax\.mail)$/, "mail"],
    [/^(?:s3|aws-java-sdk-s3|spring-cloud-aws-starter-s3)$/, "storage"],
    [/^(?:org\.springframework\.boot|spring-boot-starter(?:-web|-webflux)?)$/, fw("spring-boot")],
    [/^quarkus-(?:resteasy|rest|core)/, fw("quarkus")],
  ],
  php: [
    [/^(?:doctrine\/orm|doctrine\/dbal)$/, "database"],
    [/^predis\/predis$/, "redis"],
    [/^(?:aws\/aws-sdk-php|league\/flysystem-aws-s3-v3)$/, "storage"],
    ["laravel/framework", fw("laravel")],
    ["symfony/framework-bundle", fw("symfony")],
  ],
  rust: [
    [/^(?:tokio-postgres|postgres|diesel|sea-orm|deadpool-postgres)$/, "database"],
    [/^(?:redis|deadpool-redis|fred)$/, "redis"],
    ["lettre", "mail"],
    [/^(?:aws-sdk-s3|rusoto_s3|rust-s3)$/, "storage"],
    [/^(?:axum|actix-web|rocket|warp|poem)$/, { framework: "" }],
  ],
};

const matches = (rule: string | RegExp, name: string): boolean => (typeof rule === "string" ? rule === name : rule.test(name));

function versionFile(repo: RepoView, m: Manifest): [string, string] | undefined {
  const files: Partial<Record<Language, string[]>> = {
    node: [".nvmrc", ".node-version", ".tool-versions"],
    python: [".python-version"],
    ruby: [".ruby-version"],
    rust: ["rust-toolchain"],
  };
  const path = nearby(repo, m.dir, files[m.language] ?? []);
  const text = path ? repo.read(path) : undefined;
  if (!path || !text) return undefined;
  if (path.endsWith(".tool-versions")) {
    const v = /^nodejs\s+(\S+)/m.exec(text)?.[1];
    return v ? [v, path] : undefined;
  }
  const v = text.trim().split(/\s/)[0]?.replace(/^v(?=\d)/, "");
  return v ? [v, path] : undefined;
}

function testCommand(repo: RepoView, m: Manifest): string[] | undefined {
  const has = (names: string[]): boolean => nearby(repo, m.dir, names) !== undefined;
  const local = (name: string): boolean => repo.files.includes(within(m.dir, name));
  switch (m.language) {
    case "node": {
      const t = m.scripts.test;
      if (!t || /no test specified/.test(t)) return undefined;
      const pm = has(["pnpm-lock.yaml"]) ? "pnpm" : has(["yarn.lock"]) ? "yarn" : has(["bun.lockb", "bun.lock"]) ? "bun" : "npm";
      return [pm, "test"];
    }
    case "python":
      if (m.deps.has("pytest") || has(["pytest.ini", "conftest.py"])) return ["pytest"];
      return local("manage.py") ? ["python", "manage.py", "test"] : undefined;
    case "ruby":
      if (m.deps.has("rspec-rails") || m.deps.has("rspec")) return ["bundle", "exec", "rspec"];
      return m.deps.has("rails") ? ["bin/rails", "test"] : undefined;
    case "go":
      return ["go", "test", "./..."];
    case "java":
      if (m.file.endsWith("pom.xml")) return local("mvnw") ? ["./mvnw", "-B", "test"] : ["mvn", "-B", "test"];
      return local("gradlew") || repo.files.includes("gradlew") ? ["./gradlew", "test"] : ["gradle", "test"];
    case "php":
      return m.deps.has("phpunit/phpunit") || has(["phpunit.xml", "phpunit.xml.dist"]) ? ["vendor/bin/phpunit"] : undefined;
    case "rust":
      return ["cargo", "test"];
  }
}

/** Prisma's datasource provider, read from the schema file(s) beside the package. */
function prismaProvider(repo: RepoView, m: Manifest): [string, string] | undefined {
  const prefix = m.dir === "." ? "" : `${m.dir}/`;
  for (const f of repo.files.filter((p) => p.startsWith(prefix) && p.endsWith(".prisma"))) {
    const provider = /datasource\s+\w+\s*\{[^}]{0,2000}?provider\s*=\s*"(\w+)"/.exec(repo.read(f) ?? "")?.[1];
    if (provider) return [provider, f];
  }
  return undefined;
}

function manifestDepsFacts(repo: RepoView, m: Manifest): Found[] {
  const out: Found[] = [];
  const version = m.version ? ([m.version, m.file] as const) : versionFile(repo, m);
  const test = testCommand(repo, m);
  out.push(found({ kind: "language", value: { language: m.language, ...(version ? { version: version[0] } : {}), ...(test ? { test } : {}) } }, m.file));
  const seenFramework = new Set<string>();
  for (const [name, at] of m.deps) {
    const features = m.features.get(name) ?? [];
    for (const extra of features.map((f) => `${name}[${f}]`)) {
      const rule = RULES[m.language].find(([r, what]) => typeof what === "string" && matches(r, extra));
      if (rule) out.push(found({ kind: "service", value: { service: rule[1] as ServiceKind, by: extra } }, at));
    }
    if (m.language === "rust" && name === "sqlx") {
      if (features.includes("postgres")) out.push(found({ kind: "service", value: { service: "database", by: "sqlx" } }, at));
      else if (features.includes("mysql")) out.push(found({ kind: "unsupported", value: { store: "MySQL", by: "sqlx" } }, at));
      continue;
    }
    for (const [rule, what] of RULES[m.language]) {
      if (!matches(rule, name)) continue;
      if (typeof what === "string") out.push(found({ kind: "service", value: { service: what, by: name } }, at));
      else if ("unsupported" in what) out.push(found({ kind: "unsupported", value: { store: what.unsupported, by: name } }, at));
      else if (!seenFramework.has(what.framework || name)) {
        seenFramework.add(what.framework || name);
        out.push(found({ kind: "framework", value: { name: what.framework || name } }, at));
      }
      break;
    }
  }
  if (m.language === "node" && (m.deps.has("@prisma/client") || m.deps.has("prisma"))) {
    const provider = prismaProvider(repo, m);
    if (provider && /^(?:postgresql|postgres|cockroachdb)$/.test(provider[0])) {
      out.push(found({ kind: "service", value: { service: "database", by: "@prisma/client" } }, provider[1]));
    } else if (provider && /^(?:mysql|mongodb)$/.test(provider[0])) {
      out.push(found({ kind: "unsupported", value: { store: provider[0] === "mysql" ? "MySQL" : "MongoDB", by: "@prisma/client" } }, provider[1]));
    }
  }
  return out;
}

/** Language, backing services and framework from every dependency manifest. */
export function depsFacts(repo: RepoView, all: Manifest[] = manifests(repo)): Found[] {
  return all.flatMap((m) => manifestDepsFacts(repo, m));
}
