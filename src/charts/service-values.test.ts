import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, type ResolvedConfig } from "../config/resolve.js";
import type { VariableFormat } from "../config/services.js";
import { serviceValues } from "./service-values.js";
import { webappValues } from "./values.js";
import { webappValuesSchema } from "./webapp-values.js";

const SHOP = join(import.meta.dirname, "..", "..", "examples", "shop");
const local = loadConfig({ cwd: SHOP, profile: "local" });
const prod = loadConfig({ cwd: SHOP, profile: "prod" });
const images = { api: { repository: "localhost:5001/shop", tag: "src-a" }, web: { repository: "localhost:5001/shop", tag: "src-w" } };

const LOCAL_DB = "postgres.devstack-system.svc.cluster.local:5432";
const RDS = "shop-prod.cluster-abc123.eu-central-1.rds.amazonaws.com:5432";

function withApp(config: ResolvedConfig, app: Partial<ResolvedConfig["app"]>): ResolvedConfig {
  return { ...config, app: { ...config.app, ...app } };
}

function withDatabaseEnv(config: ResolvedConfig, env: Record<string, VariableFormat>): ResolvedConfig {
  const database = config.app.database;
  if (!database) throw new TypeError("shop has a database");
  return withApp(config, { database: { ...database, env } });
}

const service = (config: ResolvedConfig, name: string) => serviceValues(config).services.find((s) => s.name === name);

describe("serviceValues for examples/shop", () => {
  it("derives the URLs locally in ExternalSecret templates over the stored parts, and the bucket's variables as plain env", () => {
    const v = serviceValues(local);
    expect(v.services).toEqual([
      {
        name: "database",
        key: "shop-database",
        data: [
          { secretKey: "username", property: "username" },
          { secretKey: "password", property: "password" },
        ],
        env: { DATABASE_URL: `postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@${LOCAL_DB}/shop?sslmode=disable` },
      },
      {
        name: "redis",
        key: "shop-redis",
        data: [{ secretKey: "password", property: "password" }],
        env: { REDIS_URL: "redis://default:{{ .password | urlquery }}@redis.devstack-system.svc.cluster.local:6379" },
      },
      {
        // The sink takes any credentials: the generated SMTP_PASSWORD, so the Secret is the one a relay gets.
        name: "mail",
        key: "shop-platform",
        data: [{ secretKey: "password", property: "SMTP_PASSWORD" }],
        env: { SMTP_URL: "smtp://:{{ .password | urlquery }}@smtp.devstack-system.svc.cluster.local:1025" },
      },
    ]);
    expect(v.env).toEqual({
      S3_BUCKET: "shop-storage",
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_S3: "http://object-store.devstack-system.svc.cluster.local:9000",
      S3_FORCE_PATH_STYLE: "true",
      MAIL_FROM: "orders@shop.example.com",
    });
    expect(v.aliases).toEqual([
      { name: "AWS_ACCESS_KEY_ID", key: "EXPORT_S3_ACCESS_KEY_ID" },
      { name: "AWS_SECRET_ACCESS_KEY", key: "EXPORT_S3_SECRET_ACCESS_KEY" },
    ]);
    expect(v.shared).toEqual([]);
  });

  it("points prod at RDS, ElastiCache over TLS (rediss), the relay with its user, and the S3 bucket", () => {
    const v = serviceValues(prod);
    expect(v.services.map((s) => [s.name, s.key, s.data])).toEqual([
      ["database", "shop-database", [{ secretKey: "username", property: "username" }, { secretKey: "password", property: "password" }]],
      ["redis", "shop-redis", [{ secretKey: "password", property: "password" }]],
      ["mail", "shop-platform", [{ secretKey: "password", property: "SMTP_PASSWORD" }]],
    ]);
    expect(v.services.map((s) => s.env)).toEqual([
      { DATABASE_URL: `postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@${RDS}/shop?sslmode=verify-full` },
      { REDIS_URL: "rediss://default:{{ .password | urlquery }}@master.shop-prod.abc123.euc1.cache.amazonaws.com:6379" },
      { SMTP_URL: "smtp://shop-prod-ses:{{ .password | urlquery }}@email-smtp.eu-central-1.amazonaws.com:587" },
    ]);
    expect(v.env).toEqual({
      S3_BUCKET: "shop-prod-receipts",
      AWS_REGION: "eu-central-1",
      AWS_ENDPOINT_URL_S3: "https://s3.eu-central-1.amazonaws.com",
      S3_FORCE_PATH_STYLE: "false",
      MAIL_FROM: "orders@shop.example.com",
    });
    // The same references as locally: where IRSA supplies the credentials, the keys are simply absent.
    expect(v.aliases).toEqual(serviceValues(local).aliases);
  });

  it("keeps the same Secrets and keys in both profiles (parity)", () => {
    const shape = (config: ResolvedConfig) => serviceValues(config).services.map((s) => ({ name: s.name, key: s.key, data: s.data, env: Object.keys(s.env) }));
    expect(shape(prod)).toEqual(shape(local));
    expect(Object.keys(serviceValues(prod).env)).toEqual(Object.keys(serviceValues(local).env));
  });

  it("reads the relay's password under the name the profile gives it, and a plain-text redis without TLS", () => {
    const smtp = prod.profile.smtp;
    const redis = prod.profile.redis;
    if (smtp.type !== "relay" || redis.type !== "elasticache") throw new TypeError("shop's prod has a relay and ElastiCache");
    const config = { ...prod, profile: { ...prod.profile, smtp: { ...smtp, passwordSecret: "SES_SMTP_PASSWORD" }, redis: { ...redis, tls: false, username: "shop" } } };
    expect(service(config, "mail")?.data).toEqual([{ secretKey: "password", property: "SES_SMTP_PASSWORD" }]);
    expect(service(config, "redis")?.env.REDIS_URL).toBe("redis://shop:{{ .password | urlquery }}@master.shop-prod.abc123.euc1.cache.amazonaws.com:6379");
  });

  it("sends from the app's address, else noreply at the host locally and the relay's from: in prod", () => {
    const { from: _from, ...mail } = local.app.mail ?? { env: {} };
    expect(serviceValues(withApp(local, { mail })).env.MAIL_FROM).toBe("noreply@shop.localhost");
    expect(serviceValues(withApp(prod, { mail })).env.MAIL_FROM).toBe("alerts@example.com");
  });

  it("takes the bucket's region from the EKS cluster when the profile names none", () => {
    const storage = prod.profile.storage;
    if (storage.type !== "s3") throw new TypeError("shop's prod has an S3 bucket");
    const { region: _region, ...noRegion } = storage;
    const cluster = prod.profile.cluster;
    if (cluster.type !== "eks") throw new TypeError("shop's prod is on EKS");
    const config = { ...prod, profile: { ...prod.profile, storage: noRegion, cluster: { ...cluster, region: "us-west-2" } } };
    expect(serviceValues(config).env).toMatchObject({ AWS_REGION: "us-west-2", AWS_ENDPOINT_URL_S3: "https://s3.us-west-2.amazonaws.com" });
  });
});

describe("split variables", () => {
  const split = { DB_HOST: { part: "host" }, DB_PASSWORD: { part: "password" }, DATABASE_URL: { url: "postgresql+psycopg" } };

  it("renders a plain part as plain env and a secret part or URL through the ExternalSecret", () => {
    for (const [config, host] of [
      [local, LOCAL_DB],
      [prod, RDS],
    ] as const) {
      const v = serviceValues(withDatabaseEnv(config, split));
      expect(v.env.DB_HOST).toBe(host.split(":")[0]);
      expect(service(withDatabaseEnv(config, split), "database")?.env).toEqual({
        DB_PASSWORD: "{{ .password }}",
        DATABASE_URL: `postgresql+psycopg://{{ .username | urlquery }}:{{ .password | urlquery }}@${host}/shop?sslmode=${config === local ? "disable" : "verify-full"}`,
      });
      expect(v.shared).toEqual([]);
    }
  });

  it("delivers the role's name through the Secret (the store holds it), to every component like plain env", () => {
    const config = withDatabaseEnv(local, { ...split, DB_USER: { part: "username" } });
    expect(service(config, "database")?.env.DB_USER).toBe("{{ .username }}");
    expect(serviceValues(config).env).not.toHaveProperty("DB_USER");
    const web = webappValues(config, images).components.find((c) => c.name === "web");
    expect(web?.secrets).toEqual({ all: false, names: ["SESSION_KEY", "DB_USER"] });
  });

  it("carries no ExternalSecret for a service whose variables are all plain", () => {
    const config = withDatabaseEnv(local, { DB_HOST: { part: "host" }, DB_PORT: { part: "port" } });
    expect(service(config, "database")).toBeUndefined();
    expect(serviceValues(config).env).toMatchObject({ DB_HOST: "postgres.devstack-system.svc.cluster.local", DB_PORT: "5432" });
  });

  it("keeps a known part that looks like a template a literal for External Secrets' engine", () => {
    const database = local.app.database;
    if (!database) throw new TypeError("shop has a database");
    const config = withApp(local, { database: { ...database, name: "x{{y" } });
    expect(service(config, "database")?.env.DATABASE_URL).toContain('{{ "x{{y" }}');
  });
});

describe("webappValues with services", () => {
  it("meets the chart's values contract in both profiles, with the split variables too", () => {
    for (const config of [local, prod, withDatabaseEnv(local, { DB_HOST: { part: "host" }, DB_PASSWORD: { part: "password" } })]) {
      expect(() => webappValuesSchema.parse(webappValues(config, images))).not.toThrow();
    }
  });

  it("adds the plain variables to every pod's env and keeps the app's own", () => {
    const v = webappValues(local, images);
    expect(v.env).toMatchObject({ LOG_LEVEL: "info", PUBLIC_URL: "https://shop.localhost", S3_BUCKET: "shop-storage", MAIL_FROM: "orders@shop.example.com" });
    expect(v.env).not.toHaveProperty("DATABASE_URL");
    expect(v.secrets.services.map((s) => s.name)).toEqual(["database", "redis", "mail"]);
  });

  it("gives a component with a list only the secret variables it names, the storage keys included", () => {
    const byName = Object.fromEntries(webappValues(local, images).components.map((c) => [c.name, c.secrets]));
    const listed = (name: string) => local.app.components[name]?.secrets ?? [];
    for (const name of ["api", "web", "worker"]) expect(byName[name]).toEqual({ all: false, names: listed(name) });
    // shop's web names only SESSION_KEY: no URL of a service, no storage keys.
    expect(byName.web?.names).not.toContain("REDIS_URL");
    expect(byName.web?.names).not.toContain("AWS_ACCESS_KEY_ID");
    const withoutLists = withApp(local, { components: Object.fromEntries(Object.entries(local.app.components).map(([n, c]) => [n, { ...c, secrets: undefined }])) });
    for (const c of webappValues(withoutLists, images).components) expect(c.secrets).toEqual({ all: true, names: [] });
  });

  it("holds names and templates, never a value from the store", () => {
    for (const config of [local, prod]) {
      const v = webappValues(config, images);
      for (const s of v.secrets.services) {
        const keys = new Set(s.data.map((d) => d.secretKey));
        for (const template of Object.values(s.env)) {
          // Every stored part is an expression over the ExternalSecret's own data.
          for (const [, key] of template.matchAll(/\{\{ \.(\w+)/g)) expect(keys).toContain(key);
          expect(template).not.toMatch(/:\/\/[^{]*:[^{@]+@/);
        }
      }
      // A property names what to read, never the value read.
      expect(v.secrets.services.flatMap((s) => s.data.map((d) => d.property))).toEqual(["username", "password", "password", "SMTP_PASSWORD"]);
    }
  });
});
