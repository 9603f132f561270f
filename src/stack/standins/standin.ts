import type { ResolvedConfig } from "../../config/resolve.js";
import type { ProfileConfig } from "../../config/schema/profile.js";
import type { Group } from "../../project/names.js";

// What every stand-in module declares, the way a testcontainers module does:
// its image, container ports and the profile keys that move them on the host,
// health check, environment and volumes. src/stack/components.ts assembles
// the stack's spec from them.

export type Component = "k3s" | "registry" | "postgres" | "pebble" | "pebble-challtestsrv" | "smtp" | "object-store" | "redis";

export type HostPorts = ResolvedConfig["profile"]["ports"];

interface PortMapping {
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
  /** The user its command runs as, when the image's entrypoint would otherwise keep root for a command it does not know. */
  user?: string;
  tmpfs?: string[];
  /** Memory reserved for it (Docker's soft reservation), which `up --dry-run` adds to the local budget. */
  memoryMi: number;
  /** Settings baked into files put into the container; part of the hash, so changing them recreates it. */
  inputs?: Record<string, string | number>;
  labels: Record<string, string>;
  /** Hash of all of the above: an unchanged hash means the running container can be reused. */
  hash: string;
}

/**
 * One container as its stand-in declares it; the assembler adds the name,
 * labels, memory and hash. Key order is part of the hash: keep `component`
 * first, then `image`, then the rest.
 */
export type ContainerDraft = Omit<ContainerSpec, "name" | "labels" | "memoryMi" | "hash">;

interface StandInContext {
  config: ResolvedConfig;
  /** The stack's id, which names its containers and volumes. */
  stack: string;
  /** False with --services-only: no k3s beside the stand-ins. */
  cluster: boolean;
}

export interface StandIn {
  component: Component;
  /** The container's name within the stack (devstack-<stack>-<suffix>). */
  nameSuffix: string;
  /** The pinned upstream image; `{version}` is the app's Postgres version. */
  image: string;
  /** Idle memory with one small app's data (k3s: its documented minimum for a server). */
  memoryMi: number;
  /** Whether the profile runs it. */
  wanted(context: StandInContext): boolean;
  container(context: StandInContext): ContainerDraft;
  /** Where a person reaches it on the host, for `devstack status`. */
  url(config: ResolvedConfig): string;
  /** The ports pods reach it on through its selector-less Service beside k3s (src/stack/cluster-wiring.ts). */
  clusterPorts: { name: string; port: number }[];
}

/** An override wins; otherwise a mirror replaces the image's registry host. */
export function resolveImage(standIn: Pick<StandIn, "component" | "image">, images: ProfileConfig["images"], postgresVersion = "16"): string {
  const override = images.overrides[standIn.component];
  if (override) return override;
  const image = standIn.image.replace("{version}", postgresVersion);
  if (!images.mirror) return image;
  const path = image.slice(image.indexOf("/") + 1);
  return `${images.mirror.replace(/\/$/, "")}/${path}`;
}
