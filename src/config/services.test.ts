import { describe, expect, it } from "vitest";
import { resolveTexts } from "./resolve.js";
import { deriveValues, derivedVariables, formatVariable, serviceUrl, valueReader } from "./services.js";
import { componentScale } from "./components.js";

const PROFILE = "cluster:\n  type: k3s\ndomain: localhost\n";

function app(extra: string) {
  return resolveTexts({ file: "devstack.yaml", text: `name: shop\nservice:\n  port: 8080\n${extra}` }, { file: "profiles/local.yaml", text: PROFILE }, "local").app;
}

const DB = { host: "db.example", port: "5432", name: "shop", username: "shop app", password: "p@ss/word", sslmode: "require" };

describe("derived variables", () => {
  it("defaults to one URL per service and the bucket's split variables", () => {
    const a = app("database: {name: shop}\nredis: {}\nstorage: {}\nmail: {}\n");
    expect(derivedVariables(a).map((v) => [v.name, v.secret])).toEqual([
      ["DATABASE_URL", true],
      ["REDIS_URL", true],
      ["S3_BUCKET", false],
      ["AWS_REGION", false],
      ["AWS_ENDPOINT_URL_S3", false],
      ["S3_FORCE_PATH_STYLE", false],
      ["SMTP_URL", true],
      ["MAIL_FROM", false],
    ]);
  });

  it("takes a variable name for the URL, as before", () => {
    const a = app("database: {name: shop, env: DB_URL}\n");
    expect(deriveValues(a, "database", DB)).toEqual({ DB_URL: "postgresql://shop%20app:p%40ss%2Fword@db.example:5432/shop?sslmode=require" });
  });

  it("gives split variables raw and a URL with the chosen scheme escaped", () => {
    const a = app("database:\n  name: shop\n  env:\n    DATABASE_URL: {url: postgresql+psycopg}\n    DB_HOST: host\n    DB_PORT: port\n    DB_USER: username\n    DB_PASSWORD: password\n    DB_NAME: name\n");
    expect(deriveValues(a, "database", DB)).toEqual({
      DATABASE_URL: "postgresql+psycopg://shop%20app:p%40ss%2Fword@db.example:5432/shop?sslmode=require",
      DB_HOST: "db.example",
      DB_PORT: "5432",
      DB_USER: "shop app",
      DB_PASSWORD: "p@ss/word",
      DB_NAME: "shop",
    });
    // Only what carries the password is secret.
    expect(derivedVariables(a).filter((v) => v.secret).map((v) => v.name)).toEqual(["DATABASE_URL", "DB_PASSWORD"]);
  });

  it("speaks rediss with TLS, and leaves out credentials there are none of", () => {
    expect(serviceUrl("redis", "", valueReader({ host: "r.example", port: "6379", username: "default", password: "tok", tls: "true" }))).toBe("rediss://default:tok@r.example:6379");
    expect(serviceUrl("redis", "", valueReader({ host: "127.0.0.1", port: "6379", tls: "false" }))).toBe("redis://127.0.0.1:6379");
    expect(serviceUrl("mail", "", valueReader({ host: "127.0.0.1", port: "1025" }))).toBe("smtp://127.0.0.1:1025");
    expect(serviceUrl("mail", "smtps", valueReader({ host: "email-smtp.eu-central-1.amazonaws.com", port: "465", username: "AKIA", password: "x+y" }))).toBe("smtps://AKIA:x%2By@email-smtp.eu-central-1.amazonaws.com:465");
    expect(formatVariable("storage", { url: "" }, valueReader({ bucket: "shop-storage" }))).toBe("s3://shop-storage");
  });

  it("reads parts through any reader, so the chart can pass template expressions", () => {
    const reader = { raw: (p: string) => (p === "password" ? "{{ .password }}" : `<${p}>`), escaped: (p: string) => `{{ .${p} | urlquery }}` };
    expect(serviceUrl("database", "", reader)).toBe("postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@<host>:<port>/<name>?sslmode=<sslmode>");
  });
});

describe("component scale in a profile", () => {
  const config = (profile: string) =>
    resolveTexts(
      { file: "devstack.yaml", text: "name: shop\ncomponents:\n  web:\n    build: {}\n    port: 3000\n    routes: [{path: /}]\n    replicas: 2\n  worker:\n    image: web\n" },
      { file: "profiles/prod.yaml", text: `${PROFILE}${profile}` },
      "prod",
    );

  it("takes the component's own setting over the profile-wide one, and a fixed count over profile-wide autoscale", () => {
    const c = config("replicas: 3\nautoscale: {min: 3, max: 9}\ncomponents:\n  worker:\n    replicas: 1\n    resources: {requests: {cpu: 10m, memory: 32Mi}, limits: {memory: 64Mi}}\n");
    expect(componentScale(c, "web")).toMatchObject({ replicas: 3, max: 9, cpu: 70 });
    expect(componentScale(c, "worker")).toMatchObject({ replicas: 1, max: 1, resources: { requests: { cpu: "10m", memory: "32Mi" } } });
  });

  it("lets a component autoscale on its own", () => {
    const c = config("components:\n  worker:\n    autoscale: {min: 2, max: 5, cpu: 50}\n");
    expect(componentScale(c, "worker")).toMatchObject({ replicas: 2, max: 5, cpu: 50 });
    expect(componentScale(c, "web")).toMatchObject({ replicas: 2, max: 2 });
  });
});
