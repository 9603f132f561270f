import type * as z from "zod";
import { SECRET_PARTS, SERVICE_PARTS, STORAGE_KEY_NAMES, type ServiceName, type VariableFormat } from "./services.js";

// Checks across a product's components that no single field's schema can
// make: who builds, who borrows an image, routes that collide, workers
// with routes. Each issue is placed at the key it is about.

interface Route {
  path?: string;
  subdomain?: string;
}

interface Component {
  build?: unknown;
  image?: string | undefined;
  port?: number | undefined;
  routes?: Route[] | undefined;
  readiness?: Record<string, unknown> | undefined;
  liveness?: Record<string, unknown> | undefined;
  secrets?: string[] | undefined;
  ports: Record<string, number>;
  calls?: string[] | undefined;
}

interface App {
  name: string;
  service?: unknown;
  alerts?: Record<string, { components?: string[] | undefined }>;
  jobs?: Record<string, { component?: string | undefined }>;
  components?: Record<string, Component> | undefined;
  secrets: Record<string, unknown>;
  env?: Record<string, string>;
  exports?: Record<string, unknown>;
  database?: Services[ServiceName];
  redis?: Services[ServiceName];
  storage?: Services[ServiceName];
  mail?: Services[ServiceName];
}

type Services = Record<ServiceName, { env: Record<string, VariableFormat> } | undefined>;

type Ctx = z.RefinementCtx;

function issue(ctx: Ctx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: "custom", path, message, params: { plain: true } });
}

const list = (names: string[]) => names.join(", ");

export function componentIssues(app: App, ctx: Ctx): void {
  if (app.service === undefined && app.components === undefined) {
    issue(ctx, [], "declare the app's components: `components:` (web, api, worker…), or `service:` for one web component");
    return;
  }
  if (app.service !== undefined && app.components !== undefined) {
    issue(ctx, ["components"], "service: is the one-component shorthand; with components: declare it as a component (e.g. web: {build: {}, port: 3000, routes: [{path: /}]}) and remove service:");
    return;
  }
  // An alert may name components (the shorthand's one is web), the migration and the cron jobs, as their logs are labelled.
  const known = [...(app.components ? Object.keys(app.components) : ["web"]), "migrate", ...Object.keys(app.jobs ?? {}).map((j) => `job-${j}`)];
  for (const [alert, spec] of Object.entries(app.alerts ?? {})) {
    spec.components?.forEach((name, i) => {
      if (!known.includes(name)) issue(ctx, ["alerts", alert, "components", i], `no component named ${name}; components: ${list(known)}`);
    });
  }
  // A job may run another component's image; the shorthand's one component is web.
  const images = app.components ? Object.keys(app.components) : ["web"];
  for (const [job, spec] of Object.entries(app.jobs ?? {})) {
    if (spec.component !== undefined && !images.includes(spec.component)) issue(ctx, ["jobs", job, "component"], `no component named ${spec.component}; components: ${list(images)}`);
  }
  const components = app.components;
  if (!components) return;
  const names = Object.keys(components);
  if (names.length === 0) {
    issue(ctx, ["components"], "at least one component");
    return;
  }
  // Least privilege covers what services derive: a component that names its secrets gets only the secret-carrying
  // derived variables it names, and the bucket's key pair (locally; IRSA in production) only when named.
  const secretNames = [
    ...Object.keys(app.secrets),
    ...derivedVariables(app).filter((v) => SECRET_PARTS[v.service].includes("url" in v.format ? "url" : v.format.part)).map((v) => v.name),
    ...(app.storage ? STORAGE_KEY_NAMES : []),
  ];
  const paths = new Map<string, string>();
  const subdomains = new Map<string, string>();
  for (const [name, c] of Object.entries(components)) {
    const at = (...rest: (string | number)[]) => ["components", name, ...rest];
    // Pods are labelled by component: these names belong to the migration, deploy marks, jobs and exports.
    if (name === "migrate" || name === "deploy" || /^(job|export)-/.test(name)) issue(ctx, at(), `${name} is a name devstack gives its own pods (migrate, deploy, job-*, export-*); call the component something else`);
    // A component's objects are named <app>-<name>, and Service names are DNS labels of at most 63 characters.
    if (name !== "web" && app.name.length + 1 + name.length > 63) issue(ctx, at(), `"${app.name}-${name}" is longer than 63 characters, the limit for a Service's name; shorten the component's name`);
    if (c.build === undefined && c.image === undefined) issue(ctx, at(), `${name} needs build: (its own image) or image: <component> (another component's image, with its own command)`);
    if (c.build !== undefined && c.image !== undefined) issue(ctx, at("image"), `${name} has build: and image:; a component either builds its own image or runs another's`);
    if (c.image !== undefined) {
      const source = components[c.image];
      if (!source) issue(ctx, at("image"), `no component named ${c.image}; components: ${list(names)}`);
      else if (source.build === undefined) issue(ctx, at("image"), `${c.image} has no image of its own (no build:); name a component that builds one`);
    }
    const routes = c.routes ?? [];
    if (c.port === undefined) {
      if (routes.length > 0) issue(ctx, at("routes"), `${name} has no port: a worker cannot be routed; add port: or remove routes:`);
      for (const kind of ["readiness", "liveness"] as const) {
        const probe = c[kind];
        if (probe && !("exec" in probe)) issue(ctx, at(kind), `${name} has no port: its ${kind} can only be {exec: [command]}`);
      }
    }
    routes.forEach((r, i) => {
      if (r.path !== undefined) {
        const key = r.path.length > 1 ? r.path.replace(/\/+$/, "") : r.path;
        const other = paths.get(key);
        if (other) issue(ctx, at("routes", i, "path"), `${r.path} is already routed to ${other}; each path prefix goes to one component`);
        else paths.set(key, name);
      }
      if (r.subdomain !== undefined) {
        const other = subdomains.get(r.subdomain);
        if (other) issue(ctx, at("routes", i, "subdomain"), `${r.subdomain} is already routed to ${other}; each subdomain goes to one component`);
        else subdomains.set(r.subdomain, name);
      }
    });
    for (const [portName, number] of Object.entries(c.ports)) {
      if (number === c.port) issue(ctx, at("ports", portName), `${number} is the component's port already; a named port is another one`);
      // Kubernetes port names are IANA service names: at most 15 characters; http names the main port.
      if (portName.length > 15) issue(ctx, at("ports", portName), `a port name of at most 15 characters (Kubernetes' limit), found ${portName.length}`);
      if (portName === "http") issue(ctx, at("ports", portName), "http names the component's main port (port:); call this one something else");
    }
    c.secrets?.forEach((secret, i) => {
      if (!secretNames.includes(secret)) issue(ctx, at("secrets", i), `no secret named ${secret}; declared: ${secretNames.length ? list(secretNames) : "none (declare it under secrets:)"}`);
    });
    c.calls?.forEach((callee, i) => {
      if (!components[callee]) issue(ctx, at("calls", i), `no component named ${callee}; components: ${list(names)}`);
      else if (components[callee].port === undefined) issue(ctx, at("calls", i), `${callee} is a worker (no port): nothing to call`);
    });
  }
}

function derivedVariables(app: App): { name: string; service: ServiceName; format: VariableFormat }[] {
  return (Object.keys(SERVICE_PARTS) as ServiceName[]).flatMap((service) => Object.entries(app[service]?.env ?? {}).map(([name, format]) => ({ name, service, format })));
}

/** A derived variable has one source: no other service, declared secret or plain env may set it. */
export function derivedVariableIssues(app: App, ctx: Ctx): void {
  const seen = new Map<string, ServiceName>();
  for (const { name, service } of derivedVariables(app)) {
    const other = seen.get(name);
    if (other) issue(ctx, [service, "env", name], `${name} is derived from ${other}: already; each variable has one source`);
    else seen.set(name, service);
    if (name in app.secrets) issue(ctx, ["secrets", name], `${name} is derived from ${service}: (never stored twice); remove it from secrets`);
    if (app.env && name in app.env) issue(ctx, ["env", name], `${name} is derived from ${service}:; remove it from env`);
    for (const [component, c] of Object.entries(app.components ?? {})) {
      const env = (c as { env?: Record<string, string> }).env;
      if (env && name in env) issue(ctx, ["components", component, "env", name], `${name} is derived from ${service}:; remove it from the component's env`);
    }
  }
  // Locally the bucket's key pair reaches the pods under these names; a secret of the same name would be shadowed.
  if (app.storage) {
    for (const name of STORAGE_KEY_NAMES) if (name in app.secrets) issue(ctx, ["secrets", name], `${name} is the bucket's key pair locally (and the pods' role on AWS) when storage: is used; remove it from secrets`);
  }
  // Export jobs connect with the database's URL.
  if (app.database && Object.keys(app.exports ?? {}).length > 0 && !Object.values(app.database.env).some((f) => "url" in f)) {
    issue(ctx, ["database", "env"], "exports connect with the database's URL: derive one, e.g. add DATABASE_URL: url");
  }
}
