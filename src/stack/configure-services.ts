import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import { writeDurable } from "../fs/durable.js";
import { LOCAL_EXPORT_BUCKET, LOCAL_OBJECT_STORE_REGION, localStorageBucket } from "../project/names.js";
import { stackStateDir } from "../project/paths.js";
import type { StackSpec } from "./components.js";
import { ensureBucket, OBJECT_STORE_ACCESS_KEY, OBJECT_STORE_SECRET_KEY, objectStoreAnswering, objectStoreClient } from "./standins/object-store.js";
import { pebbleApiCa, pebbleRoot, setDefaultIpv4 } from "./standins/pebble.js";
import { ensureAppDatabase, POSTGRES_SUPERUSER } from "./standins/postgres.js";
import { ensureRedisPassword, REDIS_PASSWORD, REDIS_USER } from "./standins/redis.js";
import { registryAnswering } from "./standins/registry.js";
import { smtpAnswering, smtpEndpoints } from "./standins/smtp.js";
import { tcpOpen, waitFor } from "./wait.js";

export type Step = <T>(title: string, work: () => Promise<T>) => Promise<T>;

/** A value from the secret store, by group and name; throws when it is missing. */
export type SecretValue = (ref: { group: string; name: string }) => string;

/**
 * Where the app and its tests on the host reach each running stand-in. The
 * credentials the app uses are here (postgres, redis), as in the URLs they
 * make up; every command's output passes them through the redactor.
 */
export interface ServiceEndpoints {
  registry: string;
  postgres?: { host: string; port: number; database: string; user: string; password: string; url: string };
  acme?: { directory: string; caFile: string; rootChanged: boolean };
  /** The SMTP sink; the app's mail: sends here. */
  smtp?: { host: string; port: number; ui: string; api: string };
  /** S3 API of the local object store and its export bucket; its keys stay in the secret store. */
  objectStore?: { endpoint: string; bucket: string };
  redis?: { host: string; port: number; username: string; password: string; url: string };
  /** The app's own bucket (storage:) in the local object store; its keys are the object store's. */
  storage?: { endpoint: string; bucket: string; region: string };
}

function containerIp(info: Docker.ContainerInspectInfo, network: string): string {
  const ip = info.NetworkSettings.Networks[network]?.IPAddress;
  if (!ip) throw new DevstackError(`${info.Name} has no address on ${network}`, { kind: "engine", fix: "`devstack down && devstack up` attaches the containers to the network again" });
  return ip;
}

/**
 * Everything after the stack's containers exist: waits until each answers,
 * the app's Postgres role and database, the Redis password (a rotated one
 * applied), the buckets, Pebble's roots. Safe to repeat; `up` and the test
 * harness both call it, whoever started the containers.
 */
export async function configureServices(config: ResolvedConfig, spec: StackSpec, docker: Docker, secretValue: SecretValue, step: Step): Promise<ServiceEndpoints> {
  const { ports } = config.profile;
  const endpoints: ServiceEndpoints = { registry: `localhost:${ports.registry}` };
  const container = (component: string) => spec.containers.find((c) => c.component === component);

  await step("registry: answering", () => waitFor("the registry", () => registryAnswering(ports), 60_000));

  const db = config.app.database;
  if (db && container("postgres")) {
    const user = secretValue({ group: "database", name: "username" });
    const password = secretValue({ group: "database", name: "password" });
    await step(`postgres: role ${user} and database ${db.name}`, () =>
      ensureAppDatabase({ port: ports.postgres, superuserPassword: secretValue(POSTGRES_SUPERUSER), role: user, password, database: db.name }),
    );
    endpoints.postgres = {
      host: "127.0.0.1",
      port: ports.postgres,
      database: db.name,
      user,
      password,
      url: `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${ports.postgres}/${db.name}?sslmode=disable`,
    };
  }

  const pebble = container("pebble");
  if (pebble) {
    const ca = await pebbleApiCa(spec.id);
    const caFile = join(stackStateDir(spec.id), "pebble-api-ca.pem");
    const rootChanged = await step("acme: Pebble and its DNS test server", async () => {
      await waitFor("challtestsrv", () => tcpOpen(ports.acmeTestServer), 60_000);
      const testServer = container("pebble-challtestsrv");
      if (!container("k3s") && testServer) {
        // Without a cluster, every name resolves to the test server, which answers HTTP-01 itself.
        await setDefaultIpv4(ports.acmeTestServer, containerIp(await docker.getContainer(testServer.name).inspect(), spec.network));
      }
      const root = await waitFor("Pebble", () => pebbleRoot(ports.acmeManagement, ca.cert), 60_000);
      const rootFile = join(stackStateDir(spec.id), "pebble-root.pem");
      const changed = existsSync(rootFile) && readFileSync(rootFile, "utf8") !== root;
      writeDurable(rootFile, root, { mode: 0o644 });
      return changed;
    });
    endpoints.acme = { directory: `https://127.0.0.1:${ports.acme}/dir`, caFile, rootChanged };
  }

  if (container("smtp")) {
    await step("smtp: sink answering", () => waitFor("the SMTP sink", () => smtpAnswering(ports), 60_000));
    endpoints.smtp = smtpEndpoints(ports);
  }

  if (container("object-store")) {
    const endpoint = `http://127.0.0.1:${ports.objectStore}`;
    const exports = config.profile.objectStore.type === "local";
    const storage = config.app.storage !== undefined && config.profile.storage.type === "local";
    const buckets = [...(exports ? [LOCAL_EXPORT_BUCKET] : []), ...(storage ? [localStorageBucket(config.app.name)] : [])];
    await step(`object store: answering, bucket${buckets.length === 1 ? "" : "s"} ${buckets.join(", ")}`, async () => {
      await waitFor("the object store", () => objectStoreAnswering(endpoint), 60_000);
      const client = await objectStoreClient(endpoint, { accessKeyId: secretValue(OBJECT_STORE_ACCESS_KEY), secretAccessKey: secretValue(OBJECT_STORE_SECRET_KEY) });
      try {
        // A server that just started may answer before it accepts keys: retry briefly.
        for (const bucket of buckets) await waitFor(`bucket ${bucket}`, () => ensureBucket(client, bucket).then(() => true), 30_000, 500);
      } finally {
        client.destroy();
      }
    });
    if (exports) endpoints.objectStore = { endpoint, bucket: LOCAL_EXPORT_BUCKET };
    if (storage) endpoints.storage = { endpoint, bucket: localStorageBucket(config.app.name), region: LOCAL_OBJECT_STORE_REGION };
  }

  const redis = container("redis");
  if (redis) {
    const password = secretValue(REDIS_PASSWORD);
    await step("redis: answering, with the stored password", () => ensureRedisPassword(docker, redis.name, ports.redis, password));
    endpoints.redis = { host: "127.0.0.1", port: ports.redis, username: REDIS_USER, password, url: `redis://${REDIS_USER}:${encodeURIComponent(password)}@127.0.0.1:${ports.redis}` };
  }
  return endpoints;
}
