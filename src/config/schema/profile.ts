import * as z from "zod";
import { dnsLabel, email, envName, hostname, imageRef, port, resources } from "./common.js";

const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/, { error: "an AWS region such as eu-central-1" });

const clusterSpec = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("k3s").describe("a local k3s in a container, started by devstack up"),
    version: z
      .string()
      .regex(/^v[0-9]+\.[0-9]+\.[0-9]+-k3s[0-9]+$/, { error: "a k3s version such as v1.33.5-k3s1" })
      .optional(),
  }),
  z.strictObject({
    type: z.literal("kube-context").describe("an existing cluster, reached through a kubeconfig context"),
    context: z.string().min(1),
    kubeconfig: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal("eks"),
    name: z.string().min(1),
    region: awsRegion,
    context: z.string().optional().describe("an explicit kube context wins over the EKS API"),
    roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/, { error: "an IAM role ARN" }).optional()
      .describe("IAM role for the app's service account (IRSA / Pod Identity)"),
  }),
]);

const registrySpec = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("local") }),
  z.strictObject({
    type: z.literal("ecr"),
    region: awsRegion.optional(),
    account: z.string().regex(/^[0-9]{12}$/, { error: "a 12-digit AWS account id" }),
  }),
  z.strictObject({
    type: z.literal("generic"),
    url: z
      .string()
      .regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*$/, { error: "a registry such as ghcr.io/my-team" }),
    credentialsSecret: envName.optional().describe("secret holding a docker config JSON for pushes"),
  }),
]);

const acmeSpec = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("local").describe("Pebble beside the local cluster") }),
  z.strictObject({ type: z.literal("letsencrypt"), email }),
  z.strictObject({ type: z.literal("letsencrypt-staging"), email }),
]);

const databaseEndpoint = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("local").describe("a Postgres container beside the local cluster") }),
  z.strictObject({
    type: z.literal("external").describe("RDS or any Postgres; credentials come from the secret store"),
    host: hostname,
    port: port.default(5432),
    sslmode: z.enum(["disable", "require", "verify-ca", "verify-full"]).default("verify-full"),
  }),
]);

const smtpSpec = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("local").describe("an SMTP sink with a web UI") }),
  z.strictObject({
    type: z.literal("relay").describe("SES or any SMTP relay"),
    host: hostname,
    port: port.default(587),
    username: z.string().min(1),
    passwordSecret: envName.default("SMTP_PASSWORD").describe("the secret that holds the relay password"),
    from: email,
  }),
]);

const secretStoreSpec = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("local").describe("an encrypted file in the user's config directory") }),
  z.strictObject({
    type: z.literal("aws-secrets-manager"),
    prefix: z.string().regex(/^[A-Za-z0-9/_+=.@-]+$/, { error: "a Secrets Manager name prefix such as hello/prod/" }),
    region: awsRegion.optional(),
    roleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/, { error: "an IAM role ARN" })
      .optional()
      .describe("IAM role External Secrets uses to read the prefix; without one, the nodes' role"),
    identity: z
      .enum(["irsa", "pod-identity"])
      .default("irsa")
      .describe("how External Secrets gets roleArn: IRSA (service account annotation) or EKS Pod Identity (an association devstack creates)"),
  }),
]);

const objectStoreSpec = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("local").describe("an S3-compatible container beside the local cluster") }),
  z.strictObject({
    type: z.literal("s3").describe("an S3 bucket; credentials from the default AWS chain (IRSA in the cluster)"),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "an S3 bucket name such as hello-exports" }),
    prefix: z.string().regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, { error: "a key prefix ending in / such as exports/" }).default(""),
    region: awsRegion.optional(),
  }),
]);

const autoscaleSpec = z.strictObject({ min: z.int().min(1), max: z.int().min(1), cpu: z.int().min(10).max(100).default(70) });

const redisEndpoint = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("local").describe("a Redis container beside the local cluster") }),
  z.strictObject({
    type: z.literal("elasticache").describe("ElastiCache (or any Redis); its auth token is the stored secret redis.password"),
    host: hostname,
    port: port.default(6379),
    tls: z.boolean().default(true).describe("in-transit encryption (rediss://); ElastiCache requires it with an auth token"),
    username: z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: "a Redis user name such as default" }).default("default"),
  }),
]);

const storageEndpoint = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("local").describe("a bucket named after the app in the local object store") }),
  z.strictObject({
    type: z.literal("s3").describe("an S3 bucket; the pods reach it with the cluster role (IRSA), no keys"),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "an S3 bucket name such as shop-prod-uploads" }),
    region: awsRegion.optional(),
  }),
]);

const imageComponents = [
  "k3s",
  "registry",
  "postgres",
  "pebble",
  "pebble-challtestsrv",
  "smtp",
  "object-store",
  "redis",
] as const;

/** The platform's images (src/charts/platform-images.ts says where each chart takes them). */
export const platformImageNames = [
  "cert-manager-controller",
  "cert-manager-webhook",
  "cert-manager-cainjector",
  "cert-manager-acmesolver",
  "cert-manager-startupapicheck",
  "traefik",
  "external-secrets",
  "loki",
  "loki-sidecar",
  "alloy",
  "alloy-config-reloader",
  "grafana",
  "alertmanager",
] as const;

// The charts join a registry and a repository, and keep their own pinned tag only when none is given.
const platformImageRef = imageRef.refine((ref) => ref.includes("/") && /:[\w][\w.-]{0,127}(@sha256:[a-f0-9]{64})?$/i.test(ref), {
  error: "an image reference with a registry and a tag, such as mirror.corp.example/jetstack/cert-manager-controller:v1.21.1",
});

const imagesSpec = z.strictObject({
  mirror: z
    .string()
    .regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*$/, { error: "a registry mirror such as mirror.corp.example/dockerhub" })
    .optional()
    .describe("prefix for every public image (air-gapped and corporate networks)"),
  overrides: z
    .strictObject({
      ...Object.fromEntries(imageComponents.map((c) => [c, imageRef.optional()])),
      ...Object.fromEntries(platformImageNames.map((c) => [c, platformImageRef.optional()])),
    } as Record<(typeof imageComponents)[number] | (typeof platformImageNames)[number], z.ZodOptional<typeof imageRef>>)
    .default({})
    .describe("an image per stand-in or platform component, instead of the pinned upstream one"),
});

const localPorts = z.strictObject({
  http: port.default(80),
  https: port.default(443),
  registry: port.default(5001),
  postgres: port.default(5432),
  acme: port.default(14000),
  acmeManagement: port.default(15000),
  acmeTestServer: port.default(8055),
  smtp: port.default(1025),
  smtpUi: port.default(8025),
  kubeApi: port.default(6443),
  objectStore: port.default(9000),
  redis: port.default(6379),
}).superRefine((ports, ctx) => {
  // Two services cannot listen on one host port; a default counts as much as a port written out.
  const owner = new Map<number, string>();
  for (const [key, value] of Object.entries(ports)) {
    const first = owner.get(value);
    if (first) ctx.addIssue({ code: "custom", path: [key], message: `port ${value} is already ports.${first}; each service needs its own host port`, params: { plain: true } });
    else owner.set(value, key);
  }
});

export const profileSchema = z
  .strictObject({
    description: z.string().optional(),
    cluster: clusterSpec,
    registry: registrySpec.default({ type: "local" }),
    domain: hostname.describe("apps are served at <app>.<domain> unless host is set"),
    host: hostname.optional(),
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "a Kubernetes namespace name" })
      .optional()
      .describe("the app's namespace (default: the app's name); lets two profiles share one cluster"),
    acme: acmeSpec.default({ type: "local" }),
    database: databaseEndpoint.default({ type: "local" }),
    smtp: smtpSpec.default({ type: "local" }),
    secretStore: secretStoreSpec.default({ type: "local" }),
    objectStore: objectStoreSpec.default({ type: "local" }).describe("where `devstack export` writes Parquet files"),
    redis: redisEndpoint.default({ type: "local" }).describe("where the app's redis: lives"),
    storage: storageEndpoint.default({ type: "local" }).describe("where the app's storage: bucket lives"),
    images: imagesSpec.default({ overrides: {} }),
    ports: localPorts.default({
      http: 80,
      https: 443,
      registry: 5001,
      postgres: 5432,
      acme: 14000,
      acmeManagement: 15000,
      acmeTestServer: 8055,
      smtp: 1025,
      smtpUi: 8025,
      kubeApi: 6443,
      objectStore: 9000,
      redis: 6379,
    }),
    replicas: z.int().min(1).max(100).optional().describe("overrides service.replicas"),
    resources: resources.optional().describe("overrides service.resources"),
    autoscale: autoscaleSpec.optional(),
    components: z
      .record(
        dnsLabel,
        z.strictObject({
          replicas: z.int().min(1).max(100).optional().describe("overrides the component's replicas"),
          resources: resources.optional().describe("overrides the component's resources"),
          autoscale: autoscaleSpec.optional(),
        }),
      )
      .default({})
      .describe("per component of the app: replicas, resources and autoscale, over the profile-wide ones"),
    vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "a variable name such as api_host" }), z.string()).default({}),
  })
  .superRefine((profile, ctx) => {
    // Local stand-ins run beside the local cluster; a remote cluster cannot reach them.
    const local: [keyof typeof profile, string][] = [
      ["registry", "ecr or generic"],
      ["acme", "letsencrypt or letsencrypt-staging"],
      ["smtp", "relay"],
      ["secretStore", "aws-secrets-manager"],
    ];
    for (const [key, instead] of profile.cluster.type === "k3s" ? [] : local) {
      const spec = profile[key] as { type: string };
      if (spec.type === "local") {
        ctx.addIssue({
          code: "custom",
          path: [key, "type"],
          message: `"local" runs beside the local k3s cluster only; with cluster type ${profile.cluster.type} use ${instead}`,
          params: { plain: true },
        });
      }
    }
    if (/(^|\.)(cluster\.local|svc|local)$/.test(profile.domain)) {
      ctx.addIssue({ code: "custom", path: ["domain"], message: `"${profile.domain}" overlaps the cluster's own DNS names; use localhost or a domain of yours`, params: { plain: true } });
    }
    if (profile.registry.type === "ecr" && !profile.registry.region && profile.cluster.type !== "eks") {
      ctx.addIssue({ code: "custom", path: ["registry"], message: "an ECR registry needs region: (it defaults to the EKS cluster's region only with cluster type eks)", params: { plain: true } });
    }
    if (profile.secretStore.type === "aws-secrets-manager" && !profile.secretStore.region && profile.cluster.type !== "eks") {
      ctx.addIssue({ code: "custom", path: ["secretStore"], message: "aws-secrets-manager needs region: (it defaults to the EKS cluster's region only with cluster type eks)", params: { plain: true } });
    }
    if (profile.objectStore.type === "s3" && !profile.objectStore.region && profile.cluster.type !== "eks") {
      ctx.addIssue({ code: "custom", path: ["objectStore"], message: "an s3 object store needs region: (it defaults to the EKS cluster's region only with cluster type eks)", params: { plain: true } });
    }
    if (profile.storage.type === "s3" && !profile.storage.region && profile.cluster.type !== "eks") {
      ctx.addIssue({ code: "custom", path: ["storage"], message: "an s3 bucket needs region: (it defaults to the EKS cluster's region only with cluster type eks)", params: { plain: true } });
    }
    if (profile.autoscale && profile.autoscale.min > profile.autoscale.max) {
      ctx.addIssue({ code: "custom", path: ["autoscale", "min"], message: "min must not exceed max", params: { plain: true } });
    }
    for (const [name, c] of Object.entries(profile.components)) {
      if (c.autoscale && c.autoscale.min > c.autoscale.max) ctx.addIssue({ code: "custom", path: ["components", name, "autoscale", "min"], message: "min must not exceed max", params: { plain: true } });
    }
  });

export type ProfileConfig = z.output<typeof profileSchema>;
