import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import { imageRepository, imageString } from "./image.js";
import { operatorsPass, platformValues } from "./platform-values.js";
import { webappValues } from "./values.js";
import { webappValuesSchema } from "./webapp-values.js";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");
const local = loadConfig({ cwd: HELLO, profile: "local" });
const prod = loadConfig({ cwd: HELLO, profile: "prod" });
const image = { repository: "localhost:5001/hello", tag: "src-0123456789ab" };
const images = { web: image };

describe("webappValues", () => {
  it("meets the chart's values contract in both profiles", () => {
    for (const config of [local, prod]) {
      expect(() => webappValuesSchema.parse(webappValues(config, { web: { repository: imageRepository(config), tag: "src-1" } }))).not.toThrow();
    }
  });

  it("takes sizes from the profile and the rest from the app", () => {
    const l = webappValues(local, images);
    const p = webappValues(prod, images);
    expect(l.replicas).toEqual({ min: 1, max: 1, cpuTarget: 70 });
    expect(p.replicas).toEqual({ min: 3, max: 10, cpuTarget: 70 });
    expect(l.resources).toEqual({ requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "192Mi" } });
    expect(p.resources.requests).toEqual({ cpu: "250m", memory: "256Mi" });
    expect(l.service).toEqual(p.service);
    expect(l.jobs).toEqual(p.jobs);
  });

  it("turns jobs and the migration into what the chart needs", () => {
    const v = webappValues(local, images);
    expect(v.jobs).toEqual([
      { name: "cleanup", schedule: "30 3 * * *", timeZone: "Europe/Berlin", command: ["node", "src/cleanup.js"], activeDeadlineSeconds: 600, backoffLimit: 1 },
    ]);
    expect(v.migration).toEqual({ enabled: true, command: ["node", "src/migrate.js"], activeDeadlineSeconds: 600 });
  });

  it("passes secret names, never values, and derives the database URL from the stored role in its ExternalSecret", () => {
    const l = webappValues(local, images);
    const p = webappValues(prod, images);
    // Locally the object store's keys ride along for the export CronJobs; prod reaches S3 through IRSA.
    // What the app declares, the same in every profile; the local object store's keys reach pods through the group itself.
    expect(l.secrets.app).toEqual(["JWT_PRIVATE_KEY", "SESSION_KEY", "STRIPE_API_KEY", "WEBHOOK_SIGNING_KEY"]);
    expect(p.secrets.app).toEqual(l.secrets.app);
    expect(l.secrets.services).toEqual([
      {
        name: "database",
        key: "hello-database",
        data: [
          { secretKey: "username", property: "username" },
          { secretKey: "password", property: "password" },
        ],
        env: { DATABASE_URL: "postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@postgres.devstack-system.svc.cluster.local:5432/hello?sslmode=disable" },
      },
    ]);
    expect(p.secrets.services[0]?.env.DATABASE_URL).toBe("postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@hello-prod.cluster-abc123.eu-central-1.rds.amazonaws.com:5432/hello?sslmode=verify-full");
    // hello has no bucket: no storage keys, and no variable of a service in plain env.
    expect(l.secrets.aliases).toEqual([]);
    expect(l.env).toEqual(local.app.env);
    expect(l.secrets.store).toEqual(p.secrets.store);
  });

  it("annotates the service account for IRSA only where the profile names a role", () => {
    expect(webappValues(local, images).serviceAccount.annotations).toEqual({});
    expect(webappValues(prod, images).serviceAccount.annotations).toEqual({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/hello-prod-app" });
  });
});

const SHOP = join(import.meta.dirname, "..", "..", "examples", "shop");
const shopLocal = loadConfig({ cwd: SHOP, profile: "local" });
const shopProd = loadConfig({ cwd: SHOP, profile: "prod" });
const shopImages = { api: { repository: "localhost:5001/shop", tag: "src-a" }, web: { repository: "localhost:5001/shop", tag: "src-w" } };

describe("webappValues for components", () => {
  it("turns service: into one component named web, under the names hello always had", () => {
    const [web, ...rest] = webappValues(local, images).components;
    expect(rest).toEqual([]);
    expect(web).toMatchObject({
      name: "web",
      fullname: "hello",
      image: { repository: "localhost:5001/hello", tag: "src-0123456789ab", digest: "" },
      command: [],
      port: 8080,
      ports: [],
      routes: [{ path: "/" }],
      readiness: { http: { path: "/healthz" } },
      liveness: { http: { path: "/healthz" } },
      secrets: { all: true, names: [] },
      writable: [{ path: "/tmp", name: "tmp", sizeLimit: "256Mi" }],
      reachedBy: ["web", "job-cleanup", "migrate"],
    });
    // The primary component's, for jobs, the migration and one-container charts.
    expect(webappValues(local, images)).toMatchObject({ service: { port: 8080, health: "/healthz" }, replicas: web?.replicas, resources: web?.resources });
  });

  it("meets the contract for shop in both profiles, each component with its own image or another's", () => {
    for (const config of [shopLocal, shopProd]) expect(() => webappValuesSchema.parse(webappValues(config, shopImages))).not.toThrow();
    const v = webappValues(shopLocal, shopImages);
    expect(v.components.map((c) => [c.name, c.fullname, c.image.tag])).toEqual([
      ["api", "shop-api", "src-a"],
      ["web", "shop", "src-w"],
      ["worker", "shop-worker", "src-a"],
    ]);
    // Jobs and the migration run the primary's image: the first component that builds one.
    expect(v.image).toEqual({ repository: "localhost:5001/shop", tag: "src-a", digest: "", pullPolicy: "IfNotPresent" });
    expect(() => webappValues(shopLocal, { web: shopImages.web })).toThrow(/no image for component api/);
  });

  it("runs a job on another component's image when it names one, else on the primary's", () => {
    const withJob = { ...shopLocal, app: { ...shopLocal.app, jobs: { ...shopLocal.app.jobs, warm: { schedule: "0 * * * *", command: ["node", "warm.js"], component: "web", timeZone: "UTC", timeout: "5m", retries: 1 }, drain: { schedule: "0 * * * *", command: ["node", "drain.js"], component: "worker", timeZone: "UTC", timeout: "5m", retries: 1 } } } };
    const jobs = webappValues(withJob, shopImages).jobs;
    expect(jobs.find((j) => j.name === "warm")?.image?.tag).toBe("src-w");
    // The worker borrows the api's image, which is the primary's: no image of its own in the values.
    expect(jobs.find((j) => j.name === "drain")?.image).toBeUndefined();
    expect(jobs.find((j) => j.name === "daily-report")?.image).toBeUndefined();
    expect(() => webappValuesSchema.parse(webappValues(withJob, shopImages))).not.toThrow();
  });

  it("gives a worker no port, no route and no HTTP probe, and each component its own probes", () => {
    const [api, web, worker] = webappValues(shopLocal, shopImages).components;
    expect(worker).toMatchObject({ port: null, ports: [], routes: [], readiness: null, liveness: { exec: { command: ["node", "src/alive.js"] } }, command: ["node", "src/worker.js"], reachedBy: [] });
    expect(api).toMatchObject({ port: 8080, ports: [{ name: "metrics", port: 9090 }], routes: [{ path: "/api" }], readiness: { http: { path: "/api/healthz" } }, liveness: { tcp: true } });
    expect(web).toMatchObject({ routes: [{ path: "/" }], readiness: { http: { path: "/healthz" } } });
  });

  it("passes each component only the secrets it names, and writable paths after /tmp", () => {
    const [api, web, worker] = webappValues(shopLocal, shopImages).components;
    expect(api?.secrets).toEqual({ all: false, names: ["API_TOKEN", "DATABASE_URL", "REDIS_URL"] });
    expect(web?.secrets).toEqual({ all: false, names: ["SESSION_KEY"] });
    expect(worker?.secrets).toEqual({ all: false, names: ["DATABASE_URL", "REDIS_URL", "SMTP_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] });
    expect(worker?.writable).toEqual([
      { path: "/tmp", name: "tmp", sizeLimit: "256Mi" },
      { path: "/run/worker", name: "writable-1", sizeLimit: "1Mi" },
    ]);
  });

  it("lets a component be reached by those that call it, the cron jobs and the migration", () => {
    const [api, web] = webappValues(shopLocal, shopImages).components;
    expect(api?.reachedBy).toEqual(["web", "job-daily-report", "migrate"]);
    // web calls api, the worker and api call nothing: only the jobs may reach web in-cluster.
    expect(web?.reachedBy).toEqual(["job-daily-report", "migrate"]);
  });

  it("resolves a subdomain route to its host, a default TCP readiness, and its own /tmp size", () => {
    const api = shopLocal.app.components.api;
    if (!api) throw new Error("shop has an api");
    const { readiness: _readiness, ...noReadiness } = api;
    const config = { ...shopLocal, app: { ...shopLocal.app, components: { ...shopLocal.app.components, api: { ...noReadiness, routes: [{ subdomain: "api" }], writable: { "/tmp": "1Gi" } } } } };
    const [value] = webappValues(config, shopImages).components;
    expect(value).toMatchObject({ routes: [{ host: "api.shop.localhost" }], readiness: { tcp: true }, writable: [{ path: "/tmp", name: "tmp", sizeLimit: "1Gi" }] });
  });

  it("sizes every component from the profile where it says so, else from the component", () => {
    const local = webappValues(shopLocal, shopImages).components.map((c) => c.replicas);
    const prod = webappValues(shopProd, shopImages).components.map((c) => c.replicas);
    expect(local).toEqual([{ min: 1, max: 1, cpuTarget: 70 }, { min: 1, max: 1, cpuTarget: 70 }, { min: 1, max: 1, cpuTarget: 70 }]);
    // api and web autoscale with the profile; the worker has a fixed count and resources of its own.
    expect(prod).toEqual([{ min: 3, max: 10, cpuTarget: 70 }, { min: 3, max: 10, cpuTarget: 70 }, { min: 2, max: 2, cpuTarget: 70 }]);
    expect(webappValues(shopProd, shopImages).components[2]?.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } });
  });
});

describe("images", () => {
  it("places the image in each profile's registry", () => {
    expect(imageRepository(local)).toBe("localhost:5001/hello");
    expect(imageRepository(prod)).toBe("123456789012.dkr.ecr.eu-central-1.amazonaws.com/hello");
  });

  it("refers by digest when one is known", () => {
    expect(imageString({ repository: "r/x", tag: "t" })).toBe("r/x:t");
    expect(imageString({ repository: "r/x", tag: "t", digest: `sha256:${"a".repeat(64)}` })).toBe(`r/x@sha256:${"a".repeat(64)}`);
  });

  it("never accepts latest", () => {
    const values = { ...webappValues(local, images), image: { ...image, tag: "latest" } };
    expect(webappValuesSchema.safeParse(values).success).toBe(false);
  });
});

describe("platformValues", () => {
  it("points the issuer at Pebble locally and Let's Encrypt in prod", () => {
    expect(platformValues(local).acme).toEqual({ server: "https://pebble.devstack-system.svc.cluster.local:14000/dir", email: "", caBundle: "", ingressClassName: "traefik" });
    expect(platformValues(prod).acme).toMatchObject({ server: "https://acme-v02.api.letsencrypt.org/directory", email: "ops@example.com" });
    expect(platformValues(local, { acmeCaPem: "PEM" }).acme.caBundle).toBe(Buffer.from("PEM").toString("base64"));
  });

  it("chooses the store provider and installs Traefik only where k3s does not bundle it", () => {
    expect(platformValues(local).secretStore.provider).toBe("kubernetes");
    expect(platformValues(prod).secretStore).toMatchObject({ provider: "aws", aws: { region: "eu-central-1", prefix: "hello/prod/" } });
    expect(platformValues(local).traefik.enabled).toBe(false);
    expect(platformValues(prod).traefik.enabled).toBe(true);
  });

  it("sets Traefik's logs with the keys its pinned chart (41) has, and every container's resources", () => {
    const values = platformValues(prod);
    expect(values.traefik).toMatchObject({ enabled: true, log: { format: "json" }, accessLog: { enabled: true, format: "json" }, resources: { requests: { memory: "64Mi" } } });
    expect(values.traefik).not.toHaveProperty("logs");
    expect(values).toMatchObject({ loki: { singleBinary: { resources: { limits: { memory: "768Mi" } } } }, grafana: { resources: { requests: { memory: "128Mi" } } } });
  });

  it("gives External Secrets its role through IRSA, Pod Identity, or not at all", () => {
    expect(platformValues(prod)).toMatchObject({
      secretStore: { aws: { identity: "irsa", serviceAccount: "external-secrets" } },
      "external-secrets": { serviceAccount: { name: "external-secrets", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/hello-prod-external-secrets" } } },
    });
    const store = prod.profile.secretStore as Extract<typeof prod.profile.secretStore, { type: "aws-secrets-manager" }>;
    const withStore = (s: typeof store) => ({ ...prod, profile: { ...prod.profile, secretStore: s } });
    const podIdentity = platformValues(withStore({ ...store, identity: "pod-identity" }));
    expect(podIdentity.secretStore.aws.identity).toBe("pod-identity");
    expect(podIdentity["external-secrets"].serviceAccount.annotations).toEqual({});
    const { roleArn: _none, ...noRole } = store;
    expect(platformValues(withStore(noRole)).secretStore.aws.identity).toBe("default");
    expect(platformValues(local).secretStore.aws.identity).toBe("default");
  });

  it("reads Grafana's admin password from the platform group of the store, in every profile", () => {
    for (const config of [local, prod]) expect(platformValues(config).grafanaAdmin).toEqual({ storeKey: "hello-platform", property: "GRAFANA_ADMIN_PASSWORD" });
  });

  it("moves the platform's images with the profile's mirror", () => {
    const mirrored = { ...local, profile: { ...local.profile, images: { mirror: "mirror.example/hub", overrides: {} } } };
    expect(platformValues(mirrored)).toMatchObject({ alloy: { image: { registry: "mirror.example/hub/grafana", repository: "alloy" } } });
    expect(platformValues(local)).not.toHaveProperty("alloy.image");
  });

  it("installs only the operators in a first install's first pass", () => {
    const first = operatorsPass(platformValues(local));
    expect(first).toMatchObject({ objects: { enabled: false }, loki: { enabled: false }, alloy: { enabled: false }, grafana: { enabled: false }, alertmanager: { enabled: false } });
    // Everything else is the full pass's: the same resources and values for the operators.
    expect(first["external-secrets"]).toEqual(platformValues(local)["external-secrets"]);
  });
});
