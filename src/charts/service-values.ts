import type { ResolvedConfig } from "../config/resolve.js";
import { STORAGE_KEY_NAMES } from "../config/schema/services.js";
import { derivedVariables, formatVariable, usedServices, valueReader, type PartReader, type ServiceName } from "../config/services.js";
import { InternalError } from "../errors.js";
import { LOCAL_OBJECT_STORE_REGION, LOCAL_OBJECT_STORE_URL, LOCAL_POSTGRES_HOST, LOCAL_REDIS_HOST, localStorageBucket, LOCAL_SMTP, S3_KEY_ENV, type Group } from "../project/names.js";
import type { WebappValues } from "./webapp-values.js";

// How the app's managed services reach its pods. Parts the profile knows
// (hosts, ports, buckets) are written into the manifests as they are; parts
// the secret store holds (role names, passwords) are Go-template expressions
// that External Secrets fills in where the Secret is made, so the values,
// the manifests and every output of devstack hold names and templates only.

type Secrets = WebappValues["secrets"];
type ServiceSecret = Secrets["services"][number];

const LOCAL_REDIS = { host: LOCAL_REDIS_HOST, port: "6379", username: "default" };

interface Endpoint {
  /** Parts known from the config and the profile. */
  parts: Record<string, string>;
  /** Parts read from one store entry, `<app>-<group>`: part → the entry's property. */
  stored?: { group: Group; properties: Record<string, string> };
}

function databaseEndpoint(config: ResolvedConfig): Endpoint {
  const endpoint = config.profile.database;
  const external = endpoint.type === "external" ? endpoint : undefined;
  return {
    parts: {
      host: external?.host ?? LOCAL_POSTGRES_HOST,
      port: String(external?.port ?? 5432),
      name: config.app.database?.name ?? "",
      sslmode: external?.sslmode ?? "disable",
    },
    stored: { group: "database", properties: { username: "username", password: "password" } },
  };
}

function redisEndpoint(config: ResolvedConfig): Endpoint {
  const endpoint = config.profile.redis;
  const parts =
    endpoint.type === "elasticache"
      ? { host: endpoint.host, port: String(endpoint.port), tls: String(endpoint.tls), username: endpoint.username }
      : { ...LOCAL_REDIS, tls: "false" };
  // Locally the password of the Redis container's one user; on ElastiCache the auth token someone stored.
  return { parts, stored: { group: "redis", properties: { password: "password" } } };
}

function storageEndpoint(config: ResolvedConfig): Endpoint {
  const { profile } = config;
  const endpoint = profile.storage;
  if (endpoint.type === "local") {
    return { parts: { bucket: localStorageBucket(config.app.name), region: LOCAL_OBJECT_STORE_REGION, endpoint: LOCAL_OBJECT_STORE_URL, forcePathStyle: "true" } };
  }
  const region = endpoint.region ?? (profile.cluster.type === "eks" ? profile.cluster.region : undefined);
  if (!region) throw new InternalError(`storage bucket ${endpoint.bucket} has no region, which the profile's schema requires outside EKS`);
  return { parts: { bucket: endpoint.bucket, region, endpoint: `https://s3.${region}.amazonaws.com`, forcePathStyle: "false" } };
}

function mailEndpoint(config: ResolvedConfig): Endpoint {
  const smtp = config.profile.smtp;
  const from = config.app.mail?.from;
  if (smtp.type === "relay") {
    return {
      parts: { host: smtp.host, port: String(smtp.port), username: smtp.username, from: from ?? smtp.from },
      stored: { group: "platform", properties: { password: smtp.passwordSecret } },
    };
  }
  // The sink takes any credentials: the generated SMTP_PASSWORD keeps the Secret the same shape as with a relay.
  return {
    parts: { host: LOCAL_SMTP.host, port: String(LOCAL_SMTP.port), username: "", from: from ?? `noreply@${config.host}` },
    stored: { group: "platform", properties: { password: "SMTP_PASSWORD" } },
  };
}

/** Each service's parts as the cluster sees them in the profile. */
const ENDPOINTS: Record<ServiceName, (config: ResolvedConfig) => Endpoint> = {
  database: databaseEndpoint,
  redis: redisEndpoint,
  storage: storageEndpoint,
  mail: mailEndpoint,
};

/** Text External Secrets' template engine leaves as it is, whatever it holds. */
function templateLiteral(text: string): string {
  return text.includes("{{") ? `{{ ${JSON.stringify(text)} }}` : text;
}

/** Stored parts as template expressions over the ExternalSecret's data, known parts as literals; records which stored parts it read. */
function templateReader(endpoint: Endpoint, read: Set<string>): PartReader {
  const known = valueReader(endpoint.parts);
  const part = (name: string, expression: string, literal: string) => {
    if (!endpoint.stored || !(name in endpoint.stored.properties)) return templateLiteral(literal);
    read.add(name);
    return expression;
  };
  return {
    raw: (name) => part(name, `{{ .${name} }}`, known.raw(name)),
    escaped: (name) => part(name, `{{ .${name} | urlquery }}`, known.escaped(name)),
  };
}

/** The app group's key that holds each of the storage key pair's variables (stored for the export jobs under their own names). */
function storageKey(name: string): string {
  const key = ({ AWS_ACCESS_KEY_ID: S3_KEY_ENV.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_KEY_ENV.secretAccessKey } as Record<string, string>)[name];
  if (!key) throw new InternalError(`no stored key for the storage variable ${name}`);
  return key;
}

export interface ServiceValues {
  /** One ExternalSecret per service with variables that need stored parts. */
  services: ServiceSecret[];
  /** Variables made of known parts only: plain env for every pod. */
  env: Record<string, string>;
  /** Variables delivered through a service's Secret that are not secret (a role name): every component gets them. */
  shared: string[];
  /** The local object store's key pair under the names S3 clients read, from the app Secret where the profile stores it. */
  aliases: Secrets["aliases"];
}

/**
 * Each variable the app's services derive, placed where its parts allow: in
 * the ConfigMap when every part is known, in the service's ExternalSecret
 * template when one is stored (or the variable is secret).
 */
export function serviceValues(config: ResolvedConfig): ServiceValues {
  const { app } = config;
  const variables = derivedVariables(app);
  const result: ServiceValues = { services: [], env: {}, shared: [], aliases: [] };
  for (const service of usedServices(app)) {
    const endpoint = ENDPOINTS[service](config);
    const templates: Record<string, string> = {};
    for (const v of variables.filter((x) => x.service === service)) {
      const read = new Set<string>();
      const template = formatVariable(service, v.format, templateReader(endpoint, read));
      if (!v.secret && read.size === 0) {
        result.env[v.name] = formatVariable(service, v.format, valueReader(endpoint.parts));
        continue;
      }
      templates[v.name] = template;
      if (!v.secret) result.shared.push(v.name);
    }
    if (Object.keys(templates).length === 0) continue;
    const stored = endpoint.stored;
    if (!stored) throw new InternalError(`${service} derives secret variables (${Object.keys(templates).join(", ")}) but stores no part`);
    result.services.push({
      name: service,
      key: `${app.name}-${stored.group}`,
      data: Object.entries(stored.properties).map(([secretKey, property]) => ({ secretKey, property })),
      env: templates,
    });
  }
  if (app.storage) result.aliases = STORAGE_KEY_NAMES.map((name) => ({ name, key: storageKey(name) }));
  return result;
}
