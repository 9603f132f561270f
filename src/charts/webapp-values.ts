import * as z from "zod";

// The values contract of charts/webapp, and of any team's own chart named in
// devstack.yaml. charts/webapp/values.schema.json is generated from this
// (`npm run gen:chart-schema`) and a test keeps the two equal, so Helm itself
// refuses values that break the contract.

const name = z.string().regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/);
const envMap = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string());
const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/);
const seconds = z.int().min(1);

export const webappValuesSchema = z.strictObject({
  app: z.strictObject({ name, component: z.literal("web").default("web") }),
  profile: z.string().regex(/^[a-z][a-z0-9-]*$/),
  image: z.strictObject({
    repository: z.string().regex(/^[a-z0-9]+([._\-/:][a-z0-9]+)*$/),
    tag: z
      .string()
      .regex(/^[\w][\w.-]{0,127}$/)
      .refine((tag) => tag !== "latest", { error: "a tag other than latest" }),
    digest: z.string().regex(/^(sha256:[a-f0-9]{64})?$/).default(""),
    pullPolicy: z.enum(["IfNotPresent", "Always"]).default("IfNotPresent"),
  }),
  service: z.strictObject({ port: z.int().min(1).max(65535), health: z.string().regex(/^\//) }),
  replicas: z.strictObject({ min: z.int().min(1), max: z.int().min(1), cpuTarget: z.int().min(10).max(100) }),
  resources: z.strictObject({
    requests: z.strictObject({ cpu: quantity, memory: quantity }),
    limits: z.strictObject({ cpu: quantity.optional(), memory: quantity }),
  }),
  env: envMap,
  secrets: z.strictObject({
    store: z.strictObject({ kind: z.enum(["ClusterSecretStore", "SecretStore"]), name }),
    refreshInterval: z.string().regex(/^[0-9]+(s|m|h)$/),
    /** Names of the app's own secrets, read from the store entry `<app>-app`. */
    app: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)),
    database: z
      .strictObject({
        env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
        host: z.string().min(1),
        port: z.int().min(1).max(65535),
        name: z.string().min(1),
        sslmode: z.enum(["disable", "require", "verify-ca", "verify-full"]),
      })
      .optional(),
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
    /** Pods allowed to reach the app: the ingress controller, found by its label in any namespace. */
    ingressControllerLabels: z.record(z.string(), z.string()),
  }),
});

export type WebappValues = z.output<typeof webappValuesSchema>;

type JsonSchemaNode = { properties?: Record<string, JsonSchemaNode>; [key: string]: unknown };

export function webappValuesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(webappValuesSchema, { target: "draft-7", io: "input" }) as JsonSchemaNode;
  // Helm's validator speaks Go regular expressions (no lookahead): "not latest" is said this way.
  const tag = schema.properties?.image?.properties?.tag;
  if (tag) tag.not = { const: "latest" };
  return schema;
}
