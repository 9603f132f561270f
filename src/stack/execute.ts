import type Docker from "dockerode";
import { DevstackError } from "../errors.js";
import { putFiles, secretFilePath, type FileToPut } from "./container-files.js";
import { probePort } from "./ports.js";
import { preflight, preflightError } from "./preflight.js";
import type { ContainerSpec, StackSpec } from "./components.js";
import { ensureNetwork } from "./duplicates.js";
import { LABEL_PROJECT, LABEL_SPEC } from "./names.js";
import type { ContainerAction, StackPlan } from "./plan.js";

export interface ExecuteOptions {
  profile: string;
  /** Secret env of a container, resolved from the store only at create time; written as files, never into the container's config. */
  secretValue: (ref: { group: string; name: string }) => string;
  files: (spec: ContainerSpec) => Promise<FileToPut[]>;
  /** Runs each step with progress and timing; a cancelled run stops between steps. */
  step: <T>(title: string, work: () => Promise<T>) => Promise<T>;
}

async function ensureImage(docker: Docker, spec: ContainerSpec, profile: string): Promise<void> {
  try {
    await docker.getImage(spec.image).inspect();
    return;
  } catch {
    // not here yet: pull it
  }
  try {
    const stream = await docker.pull(spec.image);
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve())));
  } catch (error) {
    throw new DevstackError(`cannot pull image ${spec.image} for ${spec.component}: ${(error as Error).message}`, {
      fix: `point it at a reachable copy in profiles/${profile}.yaml:\n  images:\n    overrides:\n      ${spec.component}: registry.example.com/mirror/${spec.image.split("/").pop()}\nor set images.mirror to a registry that mirrors docker.io and ghcr.io`,
    });
  }
}

async function checkPorts(spec: ContainerSpec, profile: string): Promise<void> {
  for (const p of spec.ports) {
    if ((await probePort(p.host)) === "in-use") {
      throw new DevstackError(`port ${p.host} on 127.0.0.1, for ${spec.component} (${p.purpose}), is already in use`, {
        kind: "port-in-use",
        fix: `stop what listens there (\`sudo lsof -iTCP:${p.host} -sTCP:LISTEN\` shows it)${p.key ? `, or set ${p.key} in profiles/${profile}.yaml to a free port` : ""}`,
      });
    }
  }
}

async function createContainer(docker: Docker, stack: StackSpec, spec: ContainerSpec, options: ExecuteOptions): Promise<Docker.Container> {
  const env = { ...spec.env };
  const secretFiles: FileToPut[] = [];
  for (const [name, ref] of Object.entries(spec.secretEnv)) {
    env[`${name}_FILE`] = secretFilePath(name);
    secretFiles.push({ path: secretFilePath(name), content: options.secretValue(ref), mode: 0o444 });
  }
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.ports) {
    const key = `${p.container}/${p.protocol ?? "tcp"}`;
    exposed[key] = {};
    bindings[key] = [{ HostIp: "127.0.0.1", HostPort: String(p.host) }];
  }
  const container = await docker.createContainer({
    name: spec.name,
    Image: spec.image,
    ...(spec.hostname ? { Hostname: spec.hostname } : {}),
    ...(spec.user ? { User: spec.user } : {}),
    ...(spec.cmd ? { Cmd: spec.cmd } : {}),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: spec.labels,
    ExposedPorts: exposed,
    ...(spec.healthcheck ? { Healthcheck: { Test: spec.healthcheck, Interval: 1_000_000_000, Timeout: 3_000_000_000, Retries: 60, StartPeriod: 0 } } : {}),
    HostConfig: {
      PortBindings: bindings,
      Mounts: spec.volumes.map((v) => ({ Type: "volume" as const, Source: v.name, Target: v.path })),
      RestartPolicy: { Name: "unless-stopped" },
      Privileged: spec.privileged ?? false,
      MemoryReservation: spec.memoryMi * 1024 * 1024,
      ...(spec.tmpfs ? { Tmpfs: Object.fromEntries(spec.tmpfs.map((p) => [p, ""])), CgroupnsMode: "host" as const } : {}),
    },
    NetworkingConfig: { EndpointsConfig: { [stack.network]: { Aliases: spec.aliases } } },
  });
  await putFiles(container, [...secretFiles, ...(await options.files(spec))]);
  return container;
}

async function startContainer(container: Docker.Container, spec: ContainerSpec, profile: string): Promise<void> {
  try {
    await container.start();
  } catch (error) {
    const message = (error as Error).message;
    const port = spec.ports.find((p) => message.includes(`:${p.host}`));
    if (port && /already allocated|address already in use/.test(message)) {
      throw new DevstackError(`port ${port.host} on 127.0.0.1, for ${spec.component}, is already in use`, {
        kind: "port-in-use",
        fix: port.key ? `set ${port.key} in profiles/${profile}.yaml to a free port` : "stop what listens there",
      });
    }
    throw error;
  }
}

async function apply(docker: Docker, stack: StackSpec, action: ContainerAction, options: ExecuteOptions): Promise<void> {
  const { spec } = action;
  if (action.action === "reuse") return;
  if (action.action === "start") {
    await checkPorts(spec, options.profile);
    await startContainer(docker.getContainer(action.id), spec, options.profile);
    return;
  }
  await ensureImage(docker, spec, options.profile);
  if (action.action === "recreate") await docker.getContainer(action.id).remove({ force: true });
  await checkPorts(spec, options.profile);
  let container: Docker.Container;
  try {
    container = await createContainer(docker, stack, spec, options);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 409) throw error;
    // The name is taken: a run that raced this one created it first. Ours with the same settings and running is reused; anything else of ours is replaced.
    const existing = docker.getContainer(spec.name);
    const info = await existing.inspect();
    if (info.Config.Labels[LABEL_PROJECT] !== stack.id) throw error;
    if (info.Config.Labels[LABEL_SPEC] === spec.hash && info.State.Running) return;
    await existing.remove({ force: true });
    container = await createContainer(docker, stack, spec, options);
  }
  await startContainer(container, spec, options.profile);
}

/** Brings the stack to its plan: network, volumes, then each container; every step is safe to repeat. */
export async function executePlan(docker: Docker, stack: StackSpec, plan: StackPlan, options: ExecuteOptions): Promise<void> {
  // Everything missing at once, before anything starts.
  const problems = await options.step("preflight: images and ports", () => preflight(docker, plan));
  if (problems.length > 0) throw preflightError(problems, options.profile);
  const labels = { [LABEL_PROJECT]: stack.id };
  // Always checked, not only when the plan creates it: runs that raced (before the stack lock) may have left two.
  const ensure = () => ensureNetwork(docker, stack.network, stack.id);
  const network = plan.network.action === "create" ? await options.step(`network ${stack.network}`, ensure) : await ensure();
  if (network.removed > 0) await options.step(`network ${stack.network}: removed ${network.removed} duplicate(s)`, () => Promise.resolve());
  for (const volume of plan.volumes.filter((v) => v.action === "create")) {
    await options.step(`volume ${volume.name}`, () => docker.createVolume({ Name: volume.name, Labels: labels }));
  }
  for (const action of plan.containers) {
    const verb = { create: "create", start: "start", recreate: "recreate", reuse: "reuse" }[action.action];
    await options.step(`${action.spec.component}: ${verb} (${action.reason})`, () => apply(docker, stack, action, options));
  }
}
