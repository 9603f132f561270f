import { createHash } from "node:crypto";
import type { ResolvedConfig } from "../config/resolve.js";
import type { Group } from "../secrets/model.js";
import { STANDIN_MEMORY_MI } from "./budget.js";
import { imageFor, type Component } from "./images.js";
import { S3_KEY_ENV } from "./object-store.js";
import { containerName, LABEL_APP, LABEL_COMPONENT, LABEL_PROJECT, LABEL_SPEC, networkName, stackId, volumeName } from "./names.js";

export interface PortMapping {
  container: number;
  host: number;
  protocol?: "tcp" | "udp";
  /** What the port is for, for status and errors. */
  purpose: string;
  /** The profile key that moves it, for the "port in use" fix. */
  key?: string;
}

/** Everything needed to create one container of the stack; plain data, so plans compare and print it. */
export interface ContainerSpec {
  component: Component;
  name: string;
  image: string;
  cmd?: string[];
  env: Record<string, string>;
  /** Names of env vars whose values come from the secret store at create time. */
  secretEnv: Record<string, { group: Group; name: string }>;
  ports: PortMapping[];
  volumes: { name: string; path: string }[];
  aliases: string[];
  healthcheck?: string[];
  privileged?: boolean;
  hostname?: string;
  tmpfs?: string[];
  /** Memory reserved for it (Docker's soft reservation), which `up --dry-run` adds to the local budget. */
  memoryMi: number;
  /** Settings baked into files put into the container; part of the hash, so changing them recreates it. */
  inputs?: Record<string, string | number>;
  labels: Record<string, string>;
  /** Hash of all of the above: an unchanged hash means the running container can be reused. */
  hash: string;
}

export interface StackSpec {
  id: string;
  network: string;
  /** Named volumes that survive `down` and go with `down --purge`. */
  volumes: string[];
  containers: ContainerSpec[];
}

export const PEBBLE_DIR = "/devstack/pebble";
export const POSTGRES_SUPERUSER = { group: "platform" as const, name: "postgres-superuser-password" };
/** The object store's only key pair, generated into the platform group of the secret store. */
export const OBJECT_STORE_ACCESS_KEY = { group: "app" as const, name: S3_KEY_ENV.accessKeyId };
export const OBJECT_STORE_SECRET_KEY = { group: "app" as const, name: S3_KEY_ENV.secretAccessKey };

function finish(partial: Omit<ContainerSpec, "hash" | "labels" | "memoryMi">, stack: string, app: string): ContainerSpec {
  const spec = { ...partial, memoryMi: STANDIN_MEMORY_MI[partial.component] };
  const hash = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 16);
  return { ...spec, labels: { [LABEL_PROJECT]: stack, [LABEL_COMPONENT]: spec.component, [LABEL_APP]: app, [LABEL_SPEC]: hash }, hash };
}

/**
 * The containers beside the local cluster, from the profile: each managed
 * service production buys, as a container that speaks its protocol. With
 * `cluster: false` (--services-only) there is no k3s, and Pebble validates
 * against its own test server instead of the ingress.
 */
export function stackSpec(config: ResolvedConfig, options: { cluster: boolean }): StackSpec {
  const id = stackId(config);
  const { ports, images } = config.profile;
  const app = config.app.name;
  const name = (c: string) => containerName(id, c);
  const containers: ContainerSpec[] = [];
  const volumes: string[] = [];

  const registryVolume = volumeName(id, "registry");
  volumes.push(registryVolume);
  containers.push(
    finish(
      {
        component: "registry",
        name: name("registry"),
        image: imageFor("registry", images),
        env: { REGISTRY_STORAGE_DELETE_ENABLED: "true" },
        secretEnv: {},
        ports: [{ container: 5000, host: ports.registry, purpose: "image registry", key: "ports.registry" }],
        volumes: [{ name: registryVolume, path: "/var/lib/registry" }],
        aliases: ["registry"],
      },
      id,
      app,
    ),
  );

  if (config.app.database && config.profile.database.type === "local") {
    const pgVolume = volumeName(id, "postgres");
    volumes.push(pgVolume);
    containers.push(
      finish(
        {
          component: "postgres",
          name: name("postgres"),
          image: imageFor("postgres", images, config.app.database.version),
          env: { POSTGRES_USER: "postgres", POSTGRES_DB: "postgres", PGDATA: "/var/lib/postgresql/data" },
          secretEnv: { POSTGRES_PASSWORD: POSTGRES_SUPERUSER },
          ports: [{ container: 5432, host: ports.postgres, purpose: "PostgreSQL", key: "ports.postgres" }],
          volumes: [{ name: pgVolume, path: "/var/lib/postgresql/data" }],
          aliases: ["postgres"],
          // pg_isready needs no password: the password never sits in the container's config.
          healthcheck: ["CMD", "pg_isready", "-U", "postgres", "-h", "127.0.0.1"],
        },
        id,
        app,
      ),
    );
  }

  if (config.profile.acme.type === "local") {
    containers.push(
      finish(
        {
          component: "pebble-challtestsrv",
          name: name("challtestsrv"),
          image: imageFor("pebble-challtestsrv", images),
          cmd: ["-defaultIPv6", "", "-defaultIPv4", "127.0.0.1", "-dns01", ":8053", "-http01", ":5002", "-management", ":8055", "-tlsalpn01", ""],
          env: {},
          secretEnv: {},
          ports: [{ container: 8055, host: ports.acmeTestServer, purpose: "ACME test DNS and HTTP-01 management", key: "ports.acmeTestServer" }],
          volumes: [],
          aliases: ["challtestsrv"],
        },
        id,
        app,
      ),
      finish(
        {
          component: "pebble",
          name: name("pebble"),
          image: imageFor("pebble", images),
          cmd: ["-config", `${PEBBLE_DIR}/config.json`, "-dnsserver", "challtestsrv:8053"],
          // Fast and deterministic: no random validation sleeps, no rejected nonces, reuse of valid authorizations.
          env: { PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0", PEBBLE_AUTHZREUSE: "100" },
          secretEnv: {},
          ports: [
            { container: 14000, host: ports.acme, purpose: "ACME directory", key: "ports.acme" },
            { container: 15000, host: ports.acmeManagement, purpose: "ACME management (roots)", key: "ports.acmeManagement" },
          ],
          volumes: [],
          aliases: ["pebble"],
          // HTTP-01 goes to the ingress (port 80) with a cluster, to the test server (5002) without.
          inputs: { httpPort: options.cluster ? 80 : 5002 },
        },
        id,
        app,
      ),
    );
  }

  if (config.profile.smtp.type === "local") {
    containers.push(
      finish(
        {
          component: "smtp",
          name: name("smtp"),
          image: imageFor("smtp", images),
          env: { MAILDEV_SMTP_PORT: "1025", MAILDEV_WEB_PORT: "1080" },
          secretEnv: {},
          ports: [
            { container: 1025, host: ports.smtp, purpose: "SMTP", key: "ports.smtp" },
            { container: 1080, host: ports.smtpUi, purpose: "mail web UI and API", key: "ports.smtpUi" },
          ],
          volumes: [],
          aliases: ["smtp"],
        },
        id,
        app,
      ),
    );
  }

  if (config.profile.objectStore.type === "local") {
    const objectVolume = volumeName(id, "object-store");
    volumes.push(objectVolume);
    containers.push(
      finish(
        {
          component: "object-store",
          name: name("object-store"),
          image: imageFor("object-store", images),
          // RustFS takes its data directory as the command.
          cmd: ["/data"],
          env: {},
          // Read from RUSTFS_ACCESS_KEY_FILE / RUSTFS_SECRET_KEY_FILE: the keys never sit in the container's config.
          secretEnv: { RUSTFS_ACCESS_KEY: OBJECT_STORE_ACCESS_KEY, RUSTFS_SECRET_KEY: OBJECT_STORE_SECRET_KEY },
          ports: [{ container: 9000, host: ports.objectStore, purpose: "S3 API", key: "ports.objectStore" }],
          volumes: [{ name: objectVolume, path: "/data" }],
          aliases: ["object-store"],
        },
        id,
        app,
      ),
    );
  }

  if (options.cluster) {
    const k3sVolume = volumeName(id, "k3s");
    volumes.push(k3sVolume);
    containers.push(
      finish(
        {
          component: "k3s",
          name: name("k3s"),
          image: config.profile.cluster.type === "k3s" && config.profile.cluster.version ? imageFor("k3s", { ...images, overrides: { k3s: `docker.io/rancher/k3s:${config.profile.cluster.version}`, ...images.overrides } }) : imageFor("k3s", images),
          // A fixed node name: a recreated container is the same node over the same datastore.
          // With a mirror, k3s's own images (Traefik, CoreDNS, metrics-server, pause) come from it too.
          cmd: ["server", "--node-name", "devstack", "--tls-san", "127.0.0.1", "--write-kubeconfig-mode", "0600", ...(images.mirror ? ["--system-default-registry", images.mirror.replace(/\/$/, "")] : [])],
          env: {},
          hostname: "devstack",
          tmpfs: ["/run", "/var/run"],
          secretEnv: {},
          ports: [
            { container: 6443, host: ports.kubeApi, purpose: "Kubernetes API", key: "ports.kubeApi" },
            { container: 80, host: ports.http, purpose: "HTTP ingress", key: "ports.http" },
            { container: 443, host: ports.https, purpose: "HTTPS ingress", key: "ports.https" },
          ],
          volumes: [{ name: k3sVolume, path: "/var/lib/rancher/k3s" }],
          aliases: ["k3s"],
          privileged: true,
          inputs: { registryPort: ports.registry },
        },
        id,
        app,
      ),
    );
  }
  return { id, network: networkName(id), volumes, containers };
}
