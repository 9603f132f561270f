import { DEFAULT_SCHEME, SECRET_PARTS, SERVICE_PARTS, type ServiceName, type VariableFormat } from "./schema/services.js";
import type { AppConfig } from "./schema/app.js";

export type { ServiceName, VariableFormat } from "./schema/services.js";

export const SERVICES = Object.keys(SERVICE_PARTS) as ServiceName[];

export interface DerivedVariable {
  name: string;
  service: ServiceName;
  format: VariableFormat;
  /** Carries a secret part (a password, or a URL with one): delivered as a secret, never as plain env. */
  secret: boolean;
}

type Services = Pick<AppConfig, ServiceName>;

/** Every variable derived from the app's managed services, in service order. */
export function derivedVariables(app: Services): DerivedVariable[] {
  return SERVICES.flatMap((service) =>
    Object.entries(app[service]?.env ?? {}).map(([name, format]) => ({
      name,
      service,
      format,
      secret: SECRET_PARTS[service].includes("url" in format ? "url" : format.part),
    })),
  );
}

/** The services the app uses. */
export function usedServices(app: Services): ServiceName[] {
  return SERVICES.filter((s) => app[s] !== undefined);
}

/**
 * How one part reads in the output: `raw` as is, `escaped` inside a URL's
 * userinfo. Host environments pass values; the chart passes template
 * expressions for secret parts, so they are filled in where they are delivered.
 */
export interface PartReader {
  raw(part: string): string;
  escaped(part: string): string;
}

/** A reader over known values (the host environment, tests). */
export function valueReader(parts: Record<string, string>): PartReader {
  return { raw: (p) => parts[p] ?? "", escaped: (p) => encodeURIComponent(parts[p] ?? "") };
}

function userinfo(read: PartReader): string {
  const user = read.raw("username");
  const password = read.raw("password");
  if (password === "" && user === "") return "";
  return `${read.escaped("username")}${password === "" ? "" : `:${read.escaped("password")}`}@`;
}

/** The service's connection URL with this scheme (empty: the service's default). */
export function serviceUrl(service: ServiceName, scheme: string, read: PartReader): string {
  switch (service) {
    case "database":
      return `${scheme || DEFAULT_SCHEME.database}://${userinfo(read)}${read.raw("host")}:${read.raw("port")}/${read.raw("name")}?sslmode=${read.raw("sslmode")}`;
    case "redis":
      return `${scheme || (read.raw("tls") === "true" ? "rediss" : DEFAULT_SCHEME.redis)}://${userinfo(read)}${read.raw("host")}:${read.raw("port")}`;
    case "storage":
      return `${scheme || DEFAULT_SCHEME.storage}://${read.raw("bucket")}`;
    case "mail":
      return `${scheme || DEFAULT_SCHEME.mail}://${userinfo(read)}${read.raw("host")}:${read.raw("port")}`;
  }
}

/** One derived variable's value (or template) from the service's parts. */
export function formatVariable(service: ServiceName, format: VariableFormat, read: PartReader): string {
  return "url" in format ? serviceUrl(service, format.url, read) : read.raw(format.part);
}

/** Values of every derived variable of one service, from its parts' values. */
export function deriveValues(app: Services, service: ServiceName, parts: Record<string, string>): Record<string, string> {
  const read = valueReader(parts);
  return Object.fromEntries(derivedVariables(app).filter((v) => v.service === service).map((v) => [v.name, formatVariable(service, v.format, read)]));
}
