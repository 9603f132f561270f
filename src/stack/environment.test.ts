import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, resolveTexts } from "../config/resolve.js";
import type { ServiceEndpoints } from "./configure-services.js";
import { componentEnvironments, hostEnvironment } from "./environment.js";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");
const config = loadConfig({ cwd: HELLO, profile: "local" });

const LOCAL = { file: "profiles/local.yaml", text: "cluster:\n  type: k3s\ndomain: localhost\n" };
const app = (text: string) => resolveTexts({ file: "devstack.yaml", text: `name: shop\ncomponents:\n  web:\n    build: {}\n    port: 3000\n    routes: [{path: /}]\n${text}` }, LOCAL, "local");

const PG_PASSWORD = "pgPassw0rdpgPassw0rd";
const REDIS_PASSWORD = "redisPassw0rdredisPassw0rd";
const KEYS = { EXPORT_S3_ACCESS_KEY_ID: "AKLOCAL0000000000001", EXPORT_S3_SECRET_ACCESS_KEY: "localSecretKey0000000000000000000000000" };

/** Every service up on the host, as configureServices reports it. */
const endpoints: ServiceEndpoints = {
  registry: "localhost:5001",
  postgres: { host: "127.0.0.1", port: 15432, database: "shop", user: "shop_app", password: PG_PASSWORD, url: `postgresql://shop_app:${PG_PASSWORD}@127.0.0.1:15432/shop?sslmode=disable` },
  smtp: { host: "127.0.0.1", port: 11025, ui: "http://127.0.0.1:18025", api: "http://127.0.0.1:18025/email" },
  objectStore: { endpoint: "http://127.0.0.1:19000", bucket: "exports" },
  redis: { host: "127.0.0.1", port: 16379, username: "default", password: REDIS_PASSWORD, url: `redis://default:${REDIS_PASSWORD}@127.0.0.1:16379` },
  storage: { endpoint: "http://127.0.0.1:19000", bucket: "shop-storage", region: "us-east-1" },
};

describe("hostEnvironment", () => {
  it("names the object store and its export bucket, never its keys", () => {
    const env = hostEnvironment(config, { registry: "localhost:5001", objectStore: { endpoint: "http://127.0.0.1:9000", bucket: "exports" } }, {});
    expect(env).toMatchObject({ EXPORT_S3_ENDPOINT: "http://127.0.0.1:9000", EXPORT_S3_BUCKET: "exports" });
    expect(Object.keys(env).filter((k) => /ACCESS|SECRET_KEY/.test(k))).toEqual([]);
  });

  it("leaves the object store out when none runs locally", () => {
    expect(hostEnvironment(config, { registry: "localhost:5001" }, {})).not.toHaveProperty("EXPORT_S3_ENDPOINT");
  });

  it("derives each service's default variables from the host's parts", () => {
    const env = hostEnvironment(app("database: {name: shop}\nredis: {}\nstorage: {}\nmail: {}\n"), endpoints, KEYS);
    expect(env).toMatchObject({
      DATABASE_URL: `postgresql://shop_app:${PG_PASSWORD}@127.0.0.1:15432/shop?sslmode=disable`,
      REDIS_URL: `redis://default:${REDIS_PASSWORD}@127.0.0.1:16379`,
      S3_BUCKET: "shop-storage",
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_S3: "http://127.0.0.1:19000",
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: KEYS.EXPORT_S3_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: KEYS.EXPORT_S3_SECRET_ACCESS_KEY,
      SMTP_URL: "smtp://127.0.0.1:11025",
      MAIL_FROM: "noreply@shop.localhost",
      SMTP_API_URL: "http://127.0.0.1:18025/email",
    });
  });

  it("splits the database into the parts the app names, with the scheme it asks for", () => {
    const env = hostEnvironment(
      app("database:\n  name: shop\n  env:\n    DATABASE_URL: {url: postgresql+psycopg}\n    PGHOST: host\n    PGPORT: port\n    PGDATABASE: name\n    PGUSER: username\n    PGPASSWORD: password\n    PGSSLMODE: sslmode\n"),
      endpoints,
      {},
    );
    expect(env).toMatchObject({
      DATABASE_URL: `postgresql+psycopg://shop_app:${PG_PASSWORD}@127.0.0.1:15432/shop?sslmode=disable`,
      PGHOST: "127.0.0.1",
      PGPORT: "15432",
      PGDATABASE: "shop",
      PGUSER: "shop_app",
      PGPASSWORD: PG_PASSWORD,
      PGSSLMODE: "disable",
    });
  });

  it("gives Redis the scheme the app names (rediss) and its split parts, without TLS locally", () => {
    const env = hostEnvironment(app("redis:\n  env:\n    CACHE_URL: {url: rediss}\n    REDIS_HOST: host\n    REDIS_PORT: port\n    REDIS_USER: username\n    REDIS_PASSWORD: password\n    REDIS_TLS: tls\n"), endpoints, {});
    expect(env).toMatchObject({
      CACHE_URL: `rediss://default:${REDIS_PASSWORD}@127.0.0.1:16379`,
      REDIS_HOST: "127.0.0.1",
      REDIS_PORT: "16379",
      REDIS_USER: "default",
      REDIS_PASSWORD,
      REDIS_TLS: "false",
    });
    expect(env).not.toHaveProperty("REDIS_URL");
  });

  it("sends mail from the app's address, and keeps the sink's SMTP_URL for an app without mail:", () => {
    expect(hostEnvironment(app("mail:\n  from: orders@shop.example.com\n  env:\n    MAILER_URL: url\n    FROM: from\n"), endpoints, {})).toMatchObject({ MAILER_URL: "smtp://127.0.0.1:11025", FROM: "orders@shop.example.com" });
    expect(hostEnvironment(app("mail:\n  env:\n    MAILER_URL: url\n"), endpoints, {})).not.toHaveProperty("SMTP_URL");
    expect(hostEnvironment(app(""), endpoints, {})).toMatchObject({ SMTP_URL: "smtp://127.0.0.1:11025" });
  });

  it("leaves out the variables of a service the stack does not run here", () => {
    const env = hostEnvironment(app("redis: {}\nstorage: {}\n"), { registry: "localhost:5001" }, KEYS);
    expect(env).not.toHaveProperty("REDIS_URL");
    expect(env).not.toHaveProperty("S3_BUCKET");
    expect(env).not.toHaveProperty("AWS_ACCESS_KEY_ID");
  });

  it("gives each component of a product its own env and only the secrets it names", () => {
    const shop = resolveTexts(
      { file: "devstack.yaml", text: "name: shop\nenv:\n  LOG: info\nsecrets:\n  STRIPE_KEY: {external: true}\n  SESSION_KEY: {generate: {type: random}}\ncomponents:\n  web:\n    build: {}\n    port: 3000\n    routes: [{path: /}]\n    secrets: [SESSION_KEY]\n  worker:\n    image: web\n    env: {QUEUE: jobs}\n" },
      LOCAL,
      "local",
    );
    const envs = componentEnvironments(shop, { registry: "localhost:5001" }, { STRIPE_KEY: "sk", SESSION_KEY: "s" });
    expect(envs.web).toMatchObject({ LOG: "info", SESSION_KEY: "s", PORT: "3000" });
    expect(envs.web).not.toHaveProperty("STRIPE_KEY");
    expect(envs.worker).toMatchObject({ LOG: "info", QUEUE: "jobs", STRIPE_KEY: "sk", SESSION_KEY: "s" });
    expect(envs.worker).not.toHaveProperty("PORT");
  });

  it("gives a component only the derived secrets and bucket keys it names; plain derived variables to all", () => {
    const shop = resolveTexts(
      {
        file: "devstack.yaml",
        text: "name: shop\ncomponents:\n  web:\n    build: {}\n    port: 3000\n    routes: [{path: /}]\n    secrets: []\n  worker:\n    image: web\n    secrets: [REDIS_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY]\n  api:\n    image: web\n    port: 8080\n    routes: [{path: /api}]\n    secrets: [DATABASE_URL, SMTP_URL]\ndatabase: {name: shop}\nredis: {}\nstorage: {}\nmail: {}\n",
      },
      LOCAL,
      "local",
    );
    const envs = componentEnvironments(shop, endpoints, KEYS);
    const plain = { S3_BUCKET: "shop-storage", AWS_REGION: "us-east-1", AWS_ENDPOINT_URL_S3: "http://127.0.0.1:19000", S3_FORCE_PATH_STYLE: "true", MAIL_FROM: "noreply@shop.localhost" };
    for (const env of Object.values(envs)) expect(env).toMatchObject(plain);
    const secretNames = ["DATABASE_URL", "REDIS_URL", "SMTP_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
    const held = (name: string) => secretNames.filter((k) => k in (envs[name] ?? {}));
    expect(held("web")).toEqual([]);
    expect(held("worker")).toEqual(["REDIS_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    expect(held("api")).toEqual(["DATABASE_URL", "SMTP_URL"]);
    expect(JSON.stringify(envs.web)).not.toContain(PG_PASSWORD);
    expect(JSON.stringify(envs.web)).not.toContain(REDIS_PASSWORD);
  });
});
