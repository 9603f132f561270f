import * as z from "zod";

// The values contract of charts/webapp, and of any team's own chart named in
// devstack.yaml. charts/webapp/values.schema.json is generated from this
// (`npm run gen:chart-schema`) and a test keeps the two equal, so Helm itself
// refuses values that break the contract.

const name = z.string().regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/);
const envMap = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string());
const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/);
const seconds = z.int().min(1);
const envVar = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);
const portNumber = z.int().min(1).max(65535);
const image = z.strictObject({
  repository: z.string().regex(/^[a-z0-9]+([._\-/:][a-z0-9]+)*$/),
  tag: z
    .string()
    .regex(/^[\w][\w.-]{0,127}$/)
    .refine((tag) => tag !== "latest", { error: "a tag other than latest" }),
  digest: z.string().regex(/^(sha256:[a-f0-9]{64})?$/).default(""),
  pullPolicy: z.enum(["IfNotPresent", "Always"]).default("IfNotPresent"),
});
const replicas = z.strictObject({ min: z.int().min(1), max: z.int().min(1), cpuTarget: z.int().min(10).max(100) });
const resources = z.strictObject({
  requests: z.strictObject({ cpu: quantity, memory: quantity }),
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity }),
});
/** A label value naming a component of the app's pods: a component, `job-<name>` or `migrate`. */
const componentLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
const probe = z
  .union([
    z.strictObject({ http: z.strictObject({ path: z.string().regex(/^\//) }) }),
    z.strictObject({ tcp: z.literal(true) }),
    z.strictObject({ exec: z.strictObject({ command: z.array(z.string()).min(1) }) }),
  ])
  .nullable();

/** One long-running process of the product: a Deployment, and a Service when it has ports. */
const component = z.strictObject({
  name,
  /** The name of its Deployment, Service, PodDisruptionBudget, HPA and NetworkPolicy: the app's for `web`, else `<app>-<name>`. */
  fullname: z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/),
  image,
  /** The container's command; empty runs the image's own. */
  command: z.array(z.string()),
  /** The port it serves (named http, Service port 80); null for a worker. */
  port: portNumber.nullable(),
  /** More named ports, on the container and its Service. */
  ports: z.array(z.strictObject({ name: z.string().regex(/^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$/), port: portNumber })),
  /** Where the ingress sends traffic to it: a path prefix on ingress.host, or a host of its own. */
  routes: z.array(z.union([z.strictObject({ path: z.string().regex(/^\//) }), z.strictObject({ host: z.string().min(1) })])),
  readiness: probe,
  liveness: probe,
  replicas,
  resources,
  /** On top of the app-wide env (the ConfigMap). */
  env: envMap,
  /** all: the app Secret, every service Secret and the aliases; else only these variables, each by reference. */
  secrets: z.strictObject({ all: z.boolean(), names: z.array(envVar) }),
  /** Size-limited emptyDirs on the read-only root filesystem; /tmp first. */
  writable: z.array(z.strictObject({ path: z.string().regex(/^\//), name: z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/), sizeLimit: quantity })),
  /** The app's pods allowed to reach its ports, by their component label. */
  reachedBy: z.array(componentLabel),
});

export const webappValuesSchema = z.strictObject({
  app: z.strictObject({ name }),
  profile: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** The primary component's image (the first that builds one): jobs and the migration run it. */
  image,
  /** The primary component's port and HTTP health path, for a team's own one-container chart (absent when it has no port); charts/webapp reads components. */
  service: z.strictObject({ port: portNumber, health: z.string().regex(/^\//) }).optional(),
  /** The primary component's replicas, for a team's own one-container chart. */
  replicas,
  /** The primary component's resources: jobs and the migration get these. */
  resources,
  components: z.array(component).min(1),
  /** Plain env of every pod (the ConfigMap): the app's, and the variables its services derive from known parts only. */
  env: envMap,
  secrets: z.strictObject({
    store: z.strictObject({ kind: z.enum(["ClusterSecretStore", "SecretStore"]), name }),
    refreshInterval: z.string().regex(/^[0-9]+(s|m|h)$/),
    /** Names of the app's own secrets, read from the store entry `<app>-app`. */
    app: z.array(envVar),
    /**
     * One ExternalSecret and Secret `<app>-<name>` per managed service whose variables need stored parts: `data`
     * reads the store entry `key`'s properties as template keys, `env` derives each variable as an External Secrets
     * (v2) template over them. Templates hold expressions and endpoints, never a stored value.
     */
    services: z
      .array(
        z.strictObject({
          name: z.enum(["database", "redis", "storage", "mail"]),
          key: z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/),
          data: z.array(z.strictObject({ secretKey: z.string().regex(/^[a-zA-Z]+$/), property: z.string().regex(/^[A-Za-z0-9_.-]+$/) })).min(1),
          env: z.record(envVar, z.string()),
        }),
      )
      .default([]),
    /** Variables read by reference from another key of the app Secret, optional: the profile may not store it (IRSA replaces the object store's keys on EKS). */
    aliases: z.array(z.strictObject({ name: envVar, key: envVar })).default([]),
    /** Bumped by `devstack secrets rotate` so the next deploy rolls the pods. */
    version: z.string().default(""),
  }),
  ingress: z.strictObject({
    host: z.string().min(1),
    className: z.string().min(1),
    clusterIssuer: name,
  }),
  serviceAccount: z.strictObject({ annotations: z.record(z.string(), z.string()) }),
  pod: z.strictObject({
    runAsUser: z.int().min(1),
    runAsGroup: z.int().min(1),
    terminationGracePeriodSeconds: seconds,
    preStopSeconds: z.int().min(0),
  }),
  jobs: z.array(
    z.strictObject({
      name,
      /** Another component's image; without it the job runs the top-level image. */
      image: image.optional(),
      schedule: z.string().min(1),
      timeZone: z.string().min(1),
      command: z.array(z.string()).min(1),
      activeDeadlineSeconds: seconds,
      backoffLimit: z.int().min(0),
    }),
  ),
  exports: z.strictObject({
    /** The devstack image that runs `devstack export` (the app's image does not carry devstack). */
    image: z.strictObject({ repository: z.string().regex(/^[a-z0-9]+([._\-/:][a-z0-9]+)*$/), tag: z.string().regex(/^[\w][\w.-]{0,127}$/) }),
    /** The export job config (JSON): export specs and destination, no secrets. */
    config: z.string(),
    /** One CronJob per scheduled export. */
    jobs: z.array(z.strictObject({ name, schedule: z.string().min(1) })),
  }),
  migration: z.strictObject({
    enabled: z.boolean(),
    command: z.array(z.string()),
    activeDeadlineSeconds: seconds,
  }),
  alerts: z.strictObject({
    /** Loki ruler rules (YAML) for the app's alerts; Loki's rules sidecar loads ConfigMaps labelled loki_rule. */
    rules: z.string(),
  }),
  networkPolicy: z.strictObject({
    /** The ingress controller, found by its label in any namespace: it may reach every routed component. */
    ingressControllerLabels: z.record(z.string(), z.string()),
  }),
});

export type WebappValues = z.output<typeof webappValuesSchema>;

type JsonSchemaNode = { properties?: Record<string, JsonSchemaNode>; items?: JsonSchemaNode; [key: string]: unknown };

/** Every image tag in the schema: the primary's and each component's. */
function imageTags(node: JsonSchemaNode | undefined): JsonSchemaNode[] {
  if (!node) return [];
  const own = node.properties?.image?.properties?.tag;
  return [...(own ? [own] : []), ...Object.values(node.properties ?? {}).flatMap(imageTags), ...imageTags(node.items)];
}

export function webappValuesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(webappValuesSchema, { target: "draft-7", io: "input" }) as JsonSchemaNode;
  // Helm's validator speaks Go regular expressions (no lookahead): "not latest" is said this way.
  for (const tag of imageTags(schema)) tag.not = { const: "latest" };
  return schema;
}
