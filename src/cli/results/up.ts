import { z } from "zod";
import { result, steps } from "./lines.js";
import { plan } from "./plan.js";

const container = z.strictObject({
  component: z.string(),
  action: z.enum(["create", "reuse", "start", "recreate"]),
  reason: z.string(),
  name: z.string(),
  image: z.string(),
  ports: z.array(z.string()),
  volumes: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  cmd: z.array(z.string()).optional(),
});

const stackPlan = z.strictObject({
  stack: z.string(),
  network: z.strictObject({ name: z.string(), action: z.enum(["create", "reuse"]) }),
  volumes: z.array(z.strictObject({ name: z.string(), action: z.enum(["create", "reuse"]) })),
  containers: z.array(container),
});

/** Where each running stand-in answers on the host; credentials in it are redacted like every output. */
const endpoints = z.strictObject({
  registry: z.string(),
  postgres: z.strictObject({ host: z.string(), port: z.number(), database: z.string(), user: z.string(), password: z.string(), url: z.string() }).optional(),
  acme: z.strictObject({ directory: z.string(), caFile: z.string(), rootChanged: z.boolean() }).optional(),
  smtp: z.strictObject({ host: z.string(), port: z.number(), ui: z.string(), api: z.string() }).optional(),
  objectStore: z.strictObject({ endpoint: z.string(), bucket: z.string() }).optional(),
  redis: z.strictObject({ host: z.string(), port: z.number(), username: z.string(), password: z.string(), url: z.string() }).optional(),
  storage: z.strictObject({ endpoint: z.string(), bucket: z.string(), region: z.string() }).optional(),
});

/** Each published port key's host port: written in the profile (explicit), its default, remembered from an earlier up, or moved off a taken default. */
const ports = z.record(z.string(), z.strictObject({ port: z.number(), default: z.number(), source: z.enum(["explicit", "default", "remembered", "moved"]) }));

const memory = z.strictObject({ lines: z.array(z.strictObject({ what: z.string(), mi: z.number() })), totalMi: z.number(), goalMi: z.number() });

/** `up --json`: with --dry-run the containers' plan and the whole flow's; else the endpoints (and the cluster's URLs). */
export const schema = z.union([
  result("up", {
    dryRun: z.literal(true),
    profile: z.string(),
    engine: z.boolean(),
    plan: stackPlan,
    flow: plan,
    memory,
    ports,
    // What `up` would stop on before starting anything: images neither here nor pullable, host ports taken.
    preflight: z.array(
      z.discriminatedUnion("kind", [
        z.strictObject({ kind: z.literal("image"), component: z.string(), image: z.string(), why: z.string() }),
        z.strictObject({ kind: z.literal("port"), component: z.string(), port: z.number().int(), purpose: z.string(), key: z.string().optional() }),
      ]),
    ),
  }),
  result("up", {
    dryRun: z.literal(false),
    profile: z.string(),
    servicesOnly: z.boolean(),
    ms: z.number(),
    endpoints,
    ports,
    cluster: z.looseObject({ url: z.string(), grafana: z.string(), image: z.string(), kubeconfig: z.string(), skipped: z.array(z.string()) }).optional(),
    env: z.record(z.string(), z.string()).optional(),
    components: z.record(z.string(), z.record(z.string(), z.string())).optional(),
    steps,
  }),
]);
