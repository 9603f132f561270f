import type Docker from "dockerode";
import type { ContainerCreateOptions, HostConfig } from "dockerode";
import { K3sContainer } from "@testcontainers/k3s";
import { PostgreSqlContainer } from "@testcontainers/postgresql";
import { GenericContainer, getContainerRuntimeClient, getReaper, Network, type BoundPorts, type StartedNetwork, type StartedTestContainer, type WaitStrategy } from "testcontainers";
import { DevstackError } from "../errors.js";
import type { ContainerSpec, StackSpec } from "../stack/components.js";
import { secretFilePath, type FileToPut } from "../stack/container-files.js";
import { lastLogLines } from "../stack/standins/k3s.js";
import { sleep, tcpOpen } from "../stack/wait.js";

// The stack's containers for a test process, on testcontainers: the same
// ContainerSpecs `up` creates with dockerode (src/stack/components.ts), each
// under the testcontainers module for its kind, so the reaper testcontainers
// starts removes them when the process dies.

/** What a container needs beyond its spec: where it goes and what is put into it. */
export interface Placement {
  spec: ContainerSpec;
  network: StartedNetwork;
  /** Labels beside the spec's own (owner of the test process). */
  labels: Record<string, string>;
  /** Secret env values, delivered as files; NAME_FILE names each. */
  secrets: Record<string, string>;
  /** Generated files (Pebble's config and certificate, k3s's registries.yaml). */
  files: FileToPut[];
}

type HealthCheckTest = Parameters<GenericContainer["withHealthCheck"]>[0]["test"];

const STARTUP_TIMEOUT_MS = 60_000;
const K3S_STARTUP_TIMEOUT_MS = 180_000;

/** The spec's settings that testcontainers has a builder method for. */
function configure<T extends GenericContainer>(container: T, placement: Placement): T {
  const { spec } = placement;
  const fileVars = Object.fromEntries(Object.keys(spec.secretEnv).map((name) => [`${name}_FILE`, secretFilePath(name)]));
  const content = [
    ...Object.entries(placement.secrets).map(([name, value]) => ({ content: value, target: secretFilePath(name), mode: 0o444 })),
    ...placement.files.map((f) => ({ content: f.content, target: f.path, mode: f.mode })),
  ];
  container
    .withName(spec.name)
    .withLabels({ ...spec.labels, ...placement.labels })
    .withNetwork(placement.network)
    .withEnvironment({ ...spec.env, ...fileVars })
    .withExposedPorts(...spec.ports.map((p) => ({ container: p.container, host: p.host, protocol: p.protocol ?? "tcp" })));
  if (content.length > 0) container.withCopyContentToContainer(content);
  if (spec.cmd) container.withCommand(spec.cmd);
  if (spec.hostname) container.withHostname(spec.hostname);
  if (spec.user) container.withUser(spec.user);
  if (spec.privileged) container.withPrivilegedMode();
  if (spec.tmpfs) container.withTmpFs(Object.fromEntries(spec.tmpfs.map((path) => [path, "rw"])));
  // The spec's own check: a password never sits in it (`docker inspect` shows health checks).
  if (spec.healthcheck) container.withHealthCheck({ test: spec.healthcheck as HealthCheckTest, interval: 1000, timeout: 3000, retries: 60 });
  // k3s keeps its module's wait (its node controller's log line).
  if (spec.component !== "k3s") container.withWaitStrategy(new StandInReady(spec));
  return container.withStartupTimeout(spec.component === "k3s" ? K3S_STARTUP_TIMEOUT_MS : STARTUP_TIMEOUT_MS);
}

/**
 * What testcontainers has no builder method for, applied just before the
 * container is created: ports published on 127.0.0.1 only (as `up` does),
 * the stack's named volumes added to the module's own mounts, the memory
 * reservation, and the network aliases set at create time — so the
 * container is on the stack's network alone, not also on Docker's default
 * bridge, where testcontainers puts a container with aliases.
 */
function finish(hostConfig: HostConfig, createOpts: ContainerCreateOptions, placement: Placement): void {
  const { spec } = placement;
  for (const bindings of Object.values((hostConfig.PortBindings ?? {}) as Record<string, { HostIp?: string }[]>)) {
    for (const binding of bindings) binding.HostIp = "127.0.0.1";
  }
  hostConfig.Binds = [...(hostConfig.Binds ?? []), ...spec.volumes.map((v) => `${v.name}:${v.path}:rw`)];
  hostConfig.MemoryReservation = spec.memoryMi * 1024 * 1024;
  createOpts.NetworkingConfig = { EndpointsConfig: { [placement.network.getName()]: { Aliases: spec.aliases } } };
}

class StandInContainer extends GenericContainer {
  constructor(private readonly placement: Placement) {
    super(placement.spec.image);
    configure(this, placement);
  }

  protected override async beforeContainerCreated(): Promise<void> {
    finish(this.hostConfig, this.createOpts, this.placement);
  }
}

/** RDS's stand-in under @testcontainers/postgresql, with the superuser password only in its file. */
class StandInPostgres extends PostgreSqlContainer {
  constructor(private readonly placement: Placement) {
    super(placement.spec.image);
    configure(this, placement);
    this.withUsername(placement.spec.env.POSTGRES_USER ?? "postgres").withDatabase(placement.spec.env.POSTGRES_DB ?? "postgres");
  }

  protected override async beforeContainerCreated(): Promise<void> {
    finish(this.hostConfig, this.createOpts, this.placement);
    // The module always sets POSTGRES_PASSWORD (its default, "test"); the real one is in POSTGRES_PASSWORD_FILE, and the official image refuses both.
    this.createOpts.Env = (this.createOpts.Env ?? []).filter((e) => !e.startsWith("POSTGRES_PASSWORD="));
  }
}

/** EKS's stand-in under @testcontainers/k3s: its cgroup mount and API port, plus the spec's command, ports and datastore volume. */
class StandInK3s extends K3sContainer {
  constructor(private readonly placement: Placement) {
    super(placement.spec.image);
    configure(this, placement);
  }

  protected override async beforeContainerCreated(): Promise<void> {
    await super.beforeContainerCreated();
    finish(this.hostConfig, this.createOpts, this.placement);
  }
}

async function lastLogs(container: Docker.Container): Promise<string> {
  try {
    return await lastLogLines(container);
  } catch {
    return "(no logs)";
  }
}

/**
 * Ready when its health check passes (a spec with one) or its published TCP
 * ports accept connections on 127.0.0.1 (the rest; testcontainers' default
 * also execs a shell in the container, which slim images lack). A container
 * that exits fails at once, with its last log lines.
 */
class StandInReady implements WaitStrategy {
  private timeoutMs = STARTUP_TIMEOUT_MS;
  private timeoutSet = false;

  constructor(private readonly spec: ContainerSpec) {}

  async waitUntilReady(container: Docker.Container, boundPorts: BoundPorts): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    const ports = [...boundPorts.iterator()].filter(([key]) => !key.endsWith("/udp")).map(([, host]) => host);
    for (;;) {
      const info = await container.inspect();
      if (!info.State.Running) {
        throw new DevstackError(`${this.spec.component} (${this.spec.image}) exited with code ${info.State.ExitCode}; its last log lines:\n${await lastLogs(container)}`, { kind: "failed" });
      }
      if (await this.ready(info, ports)) return;
      if (Date.now() > deadline) {
        throw new DevstackError(`${this.spec.component} (${this.spec.image}) was not ready in ${Math.round(this.timeoutMs / 1000)} s; its last log lines:\n${await lastLogs(container)}`, { kind: "timeout" });
      }
      await sleep(250);
    }
  }

  private async ready(info: Docker.ContainerInspectInfo, ports: number[]): Promise<boolean> {
    if (this.spec.healthcheck) return info.State.Health?.Status === "healthy";
    for (const port of ports) if (!(await tcpOpen(port))) return false;
    return true;
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.timeoutMs = startupTimeoutMs;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}

/** The testcontainers container for a spec: the module for its kind, with the spec's settings. */
export function containerFor(placement: Placement): GenericContainer {
  if (placement.spec.component === "postgres") return new StandInPostgres(placement);
  if (placement.spec.component === "k3s") return new StandInK3s(placement);
  return new StandInContainer(placement);
}

async function imagePresent(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Starts one container; testcontainers pulls a missing image, and a failed pull says how to point the profile elsewhere. */
export async function startContainer(docker: Docker, placement: Placement, profile: string): Promise<StartedTestContainer> {
  const { spec } = placement;
  const present = await imagePresent(docker, spec.image);
  try {
    return await containerFor(placement).start();
  } catch (error) {
    if (error instanceof DevstackError) throw error;
    const message = (error as Error).message;
    if (!present && !(await imagePresent(docker, spec.image))) {
      throw new DevstackError(`cannot pull image ${spec.image} for ${spec.component}: ${message}`, {
        fix: `point it at a reachable copy in profiles/${profile}.yaml:\n  images:\n    overrides:\n      ${spec.component}: registry.example.com/mirror/${spec.image.split("/").pop()}\nor set images.mirror to a registry that mirrors docker.io and ghcr.io`,
        cause: error,
      });
    }
    const port = spec.ports.find((p) => message.includes(`:${p.host}`));
    if (port && /already allocated|address already in use/.test(message)) {
      throw new DevstackError(`port ${port.host} on 127.0.0.1, chosen for ${spec.component}, was taken before it started`, { kind: "port-in-use", fix: "run again: each start picks new free ports", cause: error });
    }
    throw new DevstackError(`${spec.component} (${spec.image}) did not start: ${message}`, { kind: "engine", cause: error });
  }
}

/** The id testcontainers labels this process's containers, networks and volumes with; its reaper (when there is one) runs from here on. */
export async function sessionId(): Promise<string> {
  return (await getReaper(await getContainerRuntimeClient())).sessionId;
}

/** The stack's network, under its usual name, labelled for the reaper by testcontainers. */
export function startNetwork(stack: Pick<StackSpec, "network">): Promise<StartedNetwork> {
  return new Network({ nextUuid: () => stack.network }).start();
}
