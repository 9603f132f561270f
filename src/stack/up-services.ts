import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { writeDurable } from "../fs/durable.js";
import { openStore } from "../secrets/open-store.js";
import { secretPlan } from "../secrets/model.js";
import type { Snapshot } from "../secrets/store.js";
import { syncSecrets } from "../secrets/sync.js";
import { LOCAL_EXPORT_BUCKET } from "../project/names.js";
import { stackStateDir } from "../project/paths.js";
import { stackSpec, type ContainerSpec, type StackSpec } from "./components.js";
import { connectDocker } from "./docker.js";
import { executePlan } from "./execute.js";
import { FRESH, observeStack } from "./observe.js";
import { planStack, type StackPlan } from "./plan.js";
import { registriesYaml } from "./standins/k3s.js";
import { ensureBucket, OBJECT_STORE_ACCESS_KEY, OBJECT_STORE_SECRET_KEY, objectStoreAnswering, objectStoreClient } from "./standins/object-store.js";
import { pebbleApiCa, pebbleFiles, pebbleHttpPort, pebbleRoot, setDefaultIpv4 } from "./standins/pebble.js";
import { ensureAppDatabase, POSTGRES_SUPERUSER } from "./standins/postgres.js";
import { registryAnswering } from "./standins/registry.js";
import { smtpAnswering, smtpEndpoints } from "./standins/smtp.js";
import { waitFor, tcpOpen } from "./wait.js";

export type Step = <T>(title: string, work: () => Promise<T>) => Promise<T>;

export interface PlannedStack {
  spec: StackSpec;
  plan: StackPlan;
  docker: Docker | undefined;
}

/** The plan for the local stack; without a reachable engine (dry run) it is the plan for a fresh machine. */
export async function planLocalStack(config: ResolvedConfig, options: { cluster: boolean; requireEngine: boolean }): Promise<PlannedStack> {
  if (config.profile.cluster.type !== "k3s") {
    throw new DevstackError(`profile ${config.profileName} runs on ${config.profile.cluster.type}, not the local stack`, {
      fix: `\`devstack up\` starts local profiles (cluster type k3s); deploy to ${config.profileName} with \`devstack deploy --profile ${config.profileName}\``,
    });
  }
  const spec = stackSpec(config, options);
  let docker: Docker | undefined;
  try {
    docker = await connectDocker();
  } catch (error) {
    if (options.requireEngine) throw error;
  }
  const observed = docker ? await observeStack(docker, spec) : FRESH;
  return { spec, plan: planStack(spec, observed), docker };
}

export interface ServiceEndpoints {
  registry: string;
  postgres?: { host: string; port: number; database: string; user: string; url: string };
  acme?: { directory: string; caFile: string; rootChanged: boolean };
  smtp?: { host: string; port: number; ui: string; api: string };
  /** S3 API of the local object store; its keys stay in the secret store. */
  objectStore?: { endpoint: string; bucket: string };
}

function containerIp(info: Docker.ContainerInspectInfo, network: string): string {
  const ip = info.NetworkSettings.Networks[network]?.IPAddress;
  if (!ip) throw new DevstackError(`${info.Name} has no address on ${network}`, { kind: "engine", fix: "`devstack down && devstack up` attaches the containers to the network again" });
  return ip;
}

/**
 * Starts or reuses the managed-service stand-ins beside the (future) cluster:
 * registry, Postgres with the app's role and database, Pebble with its DNS
 * test server, the SMTP sink, and the S3 object store with its export
 * bucket; then waits until each answers.
 */
export async function upServices(config: ResolvedConfig, planned: PlannedStack, step: Step): Promise<{ endpoints: ServiceEndpoints; snapshot: Snapshot }> {
  const docker = planned.docker as Docker;
  const { spec, plan } = planned;
  const store = await openStore(config);
  const sync = await step("secrets: generate what is missing", () => syncSecrets(secretPlan(config), store));
  const { snapshot } = sync;
  const secretValue = (ref: { group: string; name: string }) => {
    const value = snapshot[ref.group as keyof Snapshot][ref.name]?.value;
    if (value === undefined) throw new DevstackError(`secret ${ref.group}.${ref.name} is missing from ${store.location}`, { fix: "run `devstack secrets sync`" });
    return value;
  };
  const files = async (c: ContainerSpec) => {
    if (c.component === "pebble") return pebbleFiles(spec.id, pebbleHttpPort(c.inputs));
    // containerd on the node pulls localhost:<port>/... from the registry container.
    if (c.component === "k3s") return [{ path: "/etc/rancher/k3s/registries.yaml", content: registriesYaml(config.profile.ports.registry), mode: 0o644 }];
    return [];
  };
  await executePlan(docker, spec, plan, { profile: config.profileName, secretValue, files, step });

  const { ports } = config.profile;
  const endpoints: ServiceEndpoints = { registry: `localhost:${ports.registry}` };
  const has = (component: string) => spec.containers.some((c) => c.component === component);

  await step("registry: answering", () =>
    waitFor("the registry", () => registryAnswering(ports), 60_000),
  );

  const db = config.app.database;
  if (db && has("postgres")) {
    const user = secretValue({ group: "database", name: "username" });
    await step(`postgres: role ${user} and database ${db.name}`, () =>
      ensureAppDatabase({ port: ports.postgres, superuserPassword: secretValue(POSTGRES_SUPERUSER), role: user, password: secretValue({ group: "database", name: "password" }), database: db.name }),
    );
    const password = secretValue({ group: "database", name: "password" });
    endpoints.postgres = {
      host: "127.0.0.1",
      port: ports.postgres,
      database: db.name,
      user,
      url: `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${ports.postgres}/${db.name}?sslmode=disable`,
    };
  }

  if (has("pebble")) {
    const ca = await pebbleApiCa(spec.id);
    const caFile = join(stackStateDir(spec.id), "pebble-api-ca.pem");
    const rootChanged = await step("acme: Pebble and its DNS test server", async () => {
      await waitFor("challtestsrv", () => tcpOpen(ports.acmeTestServer), 60_000);
      if (!has("k3s")) {
        // Without a cluster, every name resolves to the test server, which answers HTTP-01 itself.
        const info = await docker.getContainer(spec.containers.find((c) => c.component === "pebble-challtestsrv")?.name as string).inspect();
        await setDefaultIpv4(ports.acmeTestServer, containerIp(info, spec.network));
      }
      const root = await waitFor("Pebble", () => pebbleRoot(ports.acmeManagement, ca.cert), 60_000);
      const rootFile = join(stackStateDir(spec.id), "pebble-root.pem");
      const changed = existsSync(rootFile) && readFileSync(rootFile, "utf8") !== root;
      writeDurable(rootFile, root, { mode: 0o644 });
      return changed;
    });
    endpoints.acme = { directory: `https://127.0.0.1:${ports.acme}/dir`, caFile, rootChanged };
  }

  if (has("smtp")) {
    await step("smtp: sink answering", () => waitFor("the SMTP sink", () => smtpAnswering(ports), 60_000));
    endpoints.smtp = smtpEndpoints(ports);
  }

  if (has("object-store")) {
    const endpoint = `http://127.0.0.1:${ports.objectStore}`;
    await step(`object store: answering, bucket ${LOCAL_EXPORT_BUCKET}`, async () => {
      await waitFor("the object store", () => objectStoreAnswering(endpoint), 60_000);
      const client = await objectStoreClient(endpoint, { accessKeyId: secretValue(OBJECT_STORE_ACCESS_KEY), secretAccessKey: secretValue(OBJECT_STORE_SECRET_KEY) });
      try {
        // A server that just started may answer before it accepts keys: retry briefly.
        await waitFor(`bucket ${LOCAL_EXPORT_BUCKET}`, () => ensureBucket(client, LOCAL_EXPORT_BUCKET).then(() => true), 30_000, 500);
      } finally {
        client.destroy();
      }
    });
    endpoints.objectStore = { endpoint, bucket: LOCAL_EXPORT_BUCKET };
  }
  return { endpoints, snapshot };
}
