import { existsSync, rmSync } from "node:fs";
import type { StartedNetwork, StartedTestContainer } from "testcontainers";
import { PLATFORM_NAMESPACE } from "../project/names.js";
import { kubeConfig } from "../cluster/apply.js";
import { forwardToPod } from "../cluster/port-forward.js";
import { componentUrls } from "../config/components.js";
import { loadConfig, type ResolvedConfig } from "../config/resolve.js";
import { DevstackError, UsageError } from "../errors.js";
import { LokiClient, type LogLine } from "../logs/loki.js";
import { claimEphemeral, removeEphemeral, sweepEphemeral } from "../secrets/ephemeral-stores.js";
import { LocalStore } from "../secrets/local-store.js";
import { secretPlan } from "../secrets/model.js";
import { openStore } from "../secrets/open-store.js";
import { groupValues, type Snapshot } from "../secrets/store.js";
import { syncSecrets } from "../secrets/sync.js";
import { hostEnvironment } from "../stack/environment.js";
import { stackId } from "../project/ids.js";
import { stackStateDir } from "../project/paths.js";
import { LABEL_PROJECT } from "../stack/names.js";
import { freePorts } from "../stack/ports.js";
import { registriesYaml } from "../stack/standins/k3s.js";
import { pebbleFiles, pebbleHttpPort } from "../stack/standins/pebble.js";
import { downStack } from "../stack/status.js";
import { withStackLock } from "../stack/lock.js";
import { upCluster } from "../effects/up.js";
import { configureServices, planLocalStack, type SecretValue } from "../stack/up-services.js";
import type { ContainerSpec, StackSpec } from "../stack/components.js";
import type { FileToPut } from "../stack/container-files.js";
import { chooseReaper, ownerLabels, removeAtExit, sweepOrphans } from "./reaper.js";

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

/** Files a stand-in needs besides its secrets, generated for this stack: the same ones `up` puts in. */
async function generatedFiles(config: ResolvedConfig, stack: StackSpec, spec: ContainerSpec): Promise<FileToPut[]> {
  if (spec.component === "pebble") return pebbleFiles(stack.id, pebbleHttpPort(spec.inputs));
  if (spec.component === "k3s") return [{ path: "/etc/rancher/k3s/registries.yaml", content: registriesYaml(config.profile.ports.registry), mode: 0o644 }];
  return [];
}

/**
 * An isolated stack of the project for tests: its own name, ports, volumes
 * and secret store (external secrets copied from the project's own store),
 * removed again by stop().
 *
 * The containers are the ones `devstack up` runs, from the same specs, but
 * started with testcontainers (@testcontainers/postgresql for Postgres,
 * @testcontainers/k3s for the cluster, GenericContainer for the rest) on a
 * testcontainers network, each published on 127.0.0.1 at a port chosen free
 * when the stack starts. So testcontainers' reaper (Ryuk) removes them — a
 * few seconds after this process ends, however it ends, even by SIGKILL;
 * `devstack up`'s containers are not testcontainers' and outlive it.
 *
 * When the reaper's image is neither present nor pullable (an offline
 * machine without it), the harness says so in one line on stderr and runs
 * without one (TESTCONTAINERS_RYUK_DISABLED for the rest of the process):
 * stop() removes a stack as always; a process that exits, or ends on
 * SIGINT/SIGTERM/SIGHUP that nothing else handles, removes its stacks on
 * the way out; and a stack whose process was killed outright is removed by
 * the next startStack on the same machine, which finds it by its owner
 * labels (process id, start time, host, boot id).
 *
 * Set TESTCONTAINERS_RYUK_CONTAINER_IMAGE (or RYUK_CONTAINER_IMAGE) to use a
 * mirrored reaper image; it must be set before testcontainers is first
 * loaded in the process.
 */
export async function startStack(options: StartStackOptions = {}): Promise<RunningStack> {
  const instance = options.instance ?? `t${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const profile = options.profile ?? "local";
  const base = loadConfig({ profile, ...(options.cwd ? { cwd: options.cwd } : {}), instance: "" });
  const config = loadConfig({ profile, ...(options.cwd ? { cwd: options.cwd } : {}), instance });
  // Chosen now, not by testcontainers at start: every spec (k3s's registry mirror, the endpoints) is made from these.
  const ports = config.profile.ports;
  const keys = Object.keys(ports) as (keyof typeof ports)[];
  const chosen = await freePorts(keys.length);
  keys.forEach((key, i) => (ports[key] = chosen[i] as number));

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
  const { spec, docker: engine } = await planLocalStack(config, { cluster, requireEngine: true });
  const docker = engine as NonNullable<typeof engine>;
  const reaper = await chooseReaper(docker);
  const orphans = await sweepOrphans(docker);
  if (orphans.length > 0) options.onStep?.(`removed ${orphans.length} stack(s) a killed test process left: ${orphans.join(", ")}`, 0);
  // After the reaper decision: it sets what testcontainers reads when it loads.
  const { sessionId, startContainer, startNetwork } = await import("./containers.js");

  const store = await openStore(config);
  if (store instanceof LocalStore) claimEphemeral(store);
  const started: StartedTestContainer[] = [];
  let network: StartedNetwork | undefined;
  const removeLocal = () => {
    // The store goes even when the engine fails to remove a container: it holds copies of external secrets.
    if (store instanceof LocalStore) removeEphemeral(store);
    rmSync(stackStateDir(spec.id), { recursive: true, force: true });
  };
  const forget = reaper.reaper ? () => undefined : removeAtExit(spec.id, { network: spec.network, local: removeLocal });
  // Like up and down, one run at a time changes this stack (an instance named by the caller may be shared).
  const lock = { command: "test", say: (line: string) => options.onStep?.(line, 0) };
  const stop = async () => {
    forget();
    try {
      await withStackLock(spec.id, lock, async () => {
        // testcontainers kills and removes each container with its anonymous volumes; downStack takes what is left (named volumes, state, kubeconfig).
        await Promise.allSettled(started.map((c) => c.stop()));
        await network?.stop().catch(() => undefined);
        await downStack(docker, config, true, (_t, w) => w());
      });
    } finally {
      removeLocal();
    }
  };
  return withStackLock(spec.id, lock, () => startLocked());
  async function startLocked(): Promise<RunningStack> {
    try {
      // External secrets are supplied once per project; an isolated stack borrows them.
      const own = LocalStore.forProject(base.app.name, base.projectDir, profile);
      if (existsSync(own.location)) {
        const values = await own.read();
        const externals = secretPlan(config).stored.filter((v) => v.kind === "external" && values[v.group][v.name]);
        if (externals.length > 0) await store.update(() => externals.map((v) => ({ group: v.group, name: v.name, value: values[v.group][v.name]?.value as string })));
      }
      const { snapshot } = await step("secrets: generate what is missing", () => syncSecrets(secretPlan(config), store));
      const secretValue: SecretValue = (ref) => {
        const value = snapshot[ref.group as keyof Snapshot][ref.name]?.value;
        if (value === undefined) throw new DevstackError(`secret ${ref.group}.${ref.name} is missing from ${store.location}`, { fix: "run `devstack secrets sync`" });
        return value;
      };

      // The reaper first (testcontainers starts it with the session), so whatever follows is covered.
      const session = await step(reaper.reaper ? `reaper: ${reaper.image}` : "reaper: none", () => sessionId());
      const labels = { ...ownerLabels(), "org.testcontainers": "true", "org.testcontainers.session-id": session };
      // Named volumes, as `up` has, labelled for the reaper and the sweep; created before anything else, so a stack killed at any point after has a labelled trace.
      await Promise.all(spec.volumes.map((name) => docker.createVolume({ Name: name, Labels: { [LABEL_PROJECT]: spec.id, ...labels } })));
      network = await step(`network ${spec.network}`, () => startNetwork(spec));
      const place = async (c: ContainerSpec) => ({
        spec: c,
        network: network as StartedNetwork,
        labels: ownerLabels(),
        secrets: Object.fromEntries(Object.entries(c.secretEnv).map(([name, ref]) => [name, secretValue(ref)])),
        files: await generatedFiles(config, spec, c),
      });
      const startOne = async (c: ContainerSpec) => {
        const container = await step(`${c.component}: start (${c.image})`, async () => startContainer(docker, await place(c), config.profileName));
        started.push(container);
      };
      // The services side by side; k3s after them, as it reaches them.
      const services = spec.containers.filter((c) => c.component !== "k3s");
      const results = await Promise.allSettled(services.map(startOne));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
      for (const c of spec.containers.filter((c) => c.component === "k3s")) await startOne(c);

      const endpoints = await configureServices(config, spec, docker, secretValue, step);
      const result = cluster ? await upCluster(docker, config, spec, step, { acmeRootChanged: false }) : undefined;
      const url = result ? (ports.https === 443 ? result.url : `${result.url}:${ports.https}`) : undefined;
      const secrets = groupValues(snapshot, "app");
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
}
