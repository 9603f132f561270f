import type Docker from "dockerode";
import { componentUrls } from "../config/components.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { readdirSync, rmdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { stackId } from "../project/ids.js";
import { localKubeconfigPath, stackStateDir } from "../project/paths.js";
import { imageRepository } from "../charts/image.js";
import { removeBuilds } from "./built-images.js";
import { LABEL_PROJECT, networkName } from "./names.js";
import { observeStack } from "./observe.js";
import { removeNetworks } from "./duplicates.js";
import { movedPorts } from "./local-ports.js";
import { STACK_LOCK_FILE } from "./lock.js";
import { STANDINS } from "./standins/index.js";

export interface ComponentStatus {
  component: string;
  container: string;
  state: string;
  health: string;
  image: string;
  version: string;
  ports: string[];
  url: string | null;
}

function urlFor(component: string, config: ResolvedConfig): string | null {
  return STANDINS.find((s) => s.component === component)?.url(config) ?? null;
}

/** Every container of the project's stack: state, health, image version and where to reach it. */
export async function stackStatus(docker: Docker, config: ResolvedConfig): Promise<{ stack: string; components: ComponentStatus[]; volumes: string[]; ports: Record<string, number>; movedPorts: { key: string; port: number; default: number }[]; urls: { app: string; grafana: string; mail: string; components: Record<string, string[]> } | null }> {
  const id = stackId(config);
  const observed = await observeStack(docker, { id, network: networkName(id) });
  const components = await Promise.all(
    observed.containers.map(async (c) => {
      const info = await docker.getContainer(c.id).inspect();
      const ports = Object.entries(info.HostConfig.PortBindings ?? {}).flatMap(([port, binds]) =>
        ((binds as { HostIp: string; HostPort: string }[] | null) ?? []).map((b) => `${b.HostIp}:${b.HostPort}->${port}`),
      );
      const health = info.State.Health?.Status ?? (c.state === "running" ? "running" : c.state);
      return {
        component: c.component,
        container: c.name,
        state: c.state,
        health,
        image: info.Config.Image,
        version: info.Config.Image.split(":").pop() ?? "",
        ports,
        url: c.state === "running" ? urlFor(c.component, config) : null,
      };
    }),
  );
  components.sort((a, b) => a.component.localeCompare(b.component));
  const cluster = components.find((c) => c.component === "k3s" && c.state === "running");
  const ports = { ...(config.profile.ports as Record<string, number>) };
  return { stack: id, components, volumes: observed.volumes, ports, movedPorts: movedPorts(ports), urls: cluster ? { app: config.url, grafana: `https://grafana.${config.profile.domain}`, mail: `http://127.0.0.1:${config.profile.ports.smtpUi}`, components: componentUrls(config) } : null };
}

function removeStateExceptLock(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (!name.startsWith(STACK_LOCK_FILE)) rmSync(join(dir, name), { recursive: true, force: true });
  try {
    rmdirSync(dir);
  } catch {
    // The lock is still there (released right after), or another run wrote meanwhile.
  }
}

/** Stops the stack's containers; with purge also removes them, their volumes, the network and the app's builds. */
export async function downStack(
  docker: Docker,
  config: ResolvedConfig,
  purge: boolean,
  step: <T>(title: string, work: () => Promise<T>) => Promise<T>,
): Promise<{ stopped: string[]; removed: string[]; volumes: string[]; images?: string[] }> {
  const id = stackId(config);
  const observed = await observeStack(docker, { id, network: networkName(id) });
  const stopped: string[] = [];
  const removed: string[] = [];
  for (const c of observed.containers) {
    const container = docker.getContainer(c.id);
    if (c.state === "running") {
      await step(`${c.component}: stop`, () => container.stop({ t: 10 }));
      stopped.push(c.name);
    }
    if (purge) {
      await step(`${c.component}: remove`, () => container.remove({ force: true }));
      removed.push(c.name);
    }
  }
  const volumes: string[] = [];
  let images: string[] | undefined;
  if (purge) {
    for (const name of observed.volumes) {
      await step(`volume ${name}: remove`, () => docker.getVolume(name).remove());
      volumes.push(name);
    }
    // Every network of the name and the project's label: duplicates that racing runs once made go too.
    const network = networkName(id);
    if (observed.network) await step(`network ${network}: remove`, () => removeNetworks(docker, network, id));
    // Anything else labelled with the project (e.g. left by an interrupted run).
    const leftovers = await docker.listVolumes({ filters: { label: [`${LABEL_PROJECT}=${id}`] } });
    for (const v of leftovers.Volumes ?? []) await docker.getVolume(v.Name).remove();
    // What devstack remembered about this stack (deployed hashes, ACME roots, kubeconfig) goes with it.
    // The stack's lock stays: this run holds it, and removes it on release.
    removeStateExceptLock(stackStateDir(id));
    rmSync(dirname(localKubeconfigPath(config)), { recursive: true, force: true });
    if (config.profile.registry.type === "local") {
      const repository = imageRepository(config);
      images = await removeBuilds(docker, repository, { step, title: (n) => `images: remove ${n} build${n === 1 ? "" : "s"} of ${repository}` });
    }
  }
  return { stopped, removed, volumes, ...(images ? { images } : {}) };
}
