import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { PLATFORM_NAMESPACE } from "../project/names.js";
import { kubeConfig } from "../cluster/apply.js";
import { forwardToPod } from "../cluster/port-forward.js";
import { componentUrls } from "../config/components.js";
import { loadConfig, type ResolvedConfig } from "../config/resolve.js";
import { UsageError } from "../errors.js";
import { LokiClient, type LogLine } from "../logs/loki.js";
import { claimEphemeral, removeEphemeral, sweepEphemeral } from "../secrets/ephemeral-stores.js";
import { LocalStore } from "../secrets/local-store.js";
import { secretPlan } from "../secrets/model.js";
import { openStore } from "../secrets/open-store.js";
import { hostEnvironment } from "../stack/environment.js";
import { stackId } from "../project/ids.js";
import { downStack } from "../stack/status.js";
import { upCluster } from "../effects/up.js";
import { planLocalStack, upServices } from "../stack/up-services.js";

export interface StartStackOptions {
  /** The project directory (or one below it); default the working directory. */
  cwd?: string;
  profile?: string;
  /** With the k3s cluster and the app deployed (default), or only the managed-service stand-ins. */
  cluster?: boolean;
  /** Name of this isolated stack; default unique per call, so test runs can be parallel. */
  instance?: string;
  /** Progress of each step, for test output. */
  onStep?: (title: string, ms: number) => void;
}

export interface MailMessage {
  subject: string;
  from: { address: string }[];
  to: { address: string }[];
  text?: string;
}

export interface RunningStack {
  /** The stack's unique project name (labels, network, volumes). */
  name: string;
  /** The app's URL through the ingress and TLS (cluster stacks only). */
  url: string | undefined;
  /** Each routed component's URLs through the ingress (cluster stacks only): path prefixes, or its subdomain. */
  componentUrls: Record<string, string[]>;
  databaseUrl: string | undefined;
  /** Everything the app (or a test of it) needs in its environment. */
  env: Record<string, string>;
  config: ResolvedConfig;
  /** The messages the SMTP sink has received. */
  messages(): Promise<MailMessage[]>;
  /** Log lines from Loki for a LogQL query over the last `sinceMs` (cluster stacks only). */
  logs(query: string, options?: { sinceMs?: number; limit?: number }): Promise<LogLine[]>;
  /** Removes the stack with its volumes and stores. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * An isolated stack of the project for tests: its own name, ports, volumes
 * and secret store (external secrets copied from the project's own store),
 * removed again by stop().
 */
export async function startStack(options: StartStackOptions = {}): Promise<RunningStack> {
  const instance = options.instance ?? `t${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const profile = options.profile ?? "local";
  const base = loadConfig({ profile, ...(options.cwd ? { cwd: options.cwd } : {}), instance: "" });
  const config = loadConfig({ profile, ...(options.cwd ? { cwd: options.cwd } : {}), instance });
  const ports = config.profile.ports;
  for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();

  const cluster = options.cluster ?? true;
  const step = async <T>(title: string, work: () => Promise<T>) => {
    const t = performance.now();
    const result = await work();
    options.onStep?.(title, Math.round(performance.now() - t));
    return result;
  };
  // Stores of isolated stacks whose process was killed before it could remove them.
  sweepEphemeral();
  // Before anything is written: a machine without an engine fails here and leaves nothing.
  const planned = await planLocalStack(config, { cluster, requireEngine: true });
  const docker = planned.docker as NonNullable<typeof planned.docker>;
  const store = await openStore(config);
  if (store instanceof LocalStore) claimEphemeral(store);
  const stop = async () => {
    try {
      await downStack(docker, config, true, (_t, w) => w());
    } finally {
      // The store goes even when the engine fails to remove a container: it holds copies of external secrets.
      if (store instanceof LocalStore) removeEphemeral(store);
    }
  };
  try {
    // External secrets are supplied once per project; an isolated stack borrows them.
    const own = LocalStore.forProject(base.app.name, base.projectDir, profile);
    if (existsSync(own.location)) {
      const values = await own.read();
      const externals = secretPlan(config).stored.filter((v) => v.kind === "external" && values[v.group][v.name]);
      if (externals.length > 0) await store.update(() => externals.map((v) => ({ group: v.group, name: v.name, value: values[v.group][v.name]?.value as string })));
    }
    const { endpoints, snapshot } = await upServices(config, planned, step);
    const result = cluster ? await upCluster(docker, config, planned.spec, step, { acmeRootChanged: false }) : undefined;
    const url = result ? (ports.https === 443 ? result.url : `${result.url}:${ports.https}`) : undefined;
    const secrets = Object.fromEntries(Object.entries(snapshot.app).map(([k, v]) => [k, v.value]));
    return {
      name: stackId(config),
      url,
      // The published HTTPS port, when it is not 443, belongs in every URL.
      componentUrls: url ? Object.fromEntries(Object.entries(componentUrls(config)).map(([name, urls]) => [name, ports.https === 443 ? urls : urls.map((u) => u.replace(/^(https:\/\/[^/]+)/, `$1:${ports.https}`))])) : {},
      databaseUrl: endpoints.postgres?.url,
      env: { ...hostEnvironment(config, endpoints, secrets), ...(url ? { DEVSTACK_URL: url } : {}) },
      config,
      messages: async () => (endpoints.smtp ? ((await (await fetch(endpoints.smtp.api)).json()) as MailMessage[]) : []),
      logs: async (query, logOptions = {}) => {
        if (!result) throw new UsageError("logs live in the cluster's Loki: start the stack with cluster: true");
        const kc = await kubeConfig(result.kubeconfig);
        const forward = await forwardToPod(kc, PLATFORM_NAMESPACE, "app.kubernetes.io/name=loki", 3100);
        try {
          const end = new Date();
          return await new LokiClient(`http://127.0.0.1:${forward.port}`).queryRange({ query, start: new Date(end.getTime() - (logOptions.sinceMs ?? 3_600_000)), end, limit: logOptions.limit ?? 1000 });
        } finally {
          await forward.close();
        }
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
