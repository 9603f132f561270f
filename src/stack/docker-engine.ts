import type Docker from "dockerode";
import { DevstackError } from "../errors.js";

export interface EngineInfo {
  reachable: boolean;
  /** Where devstack looked: DOCKER_HOST or the default socket. */
  endpoint: string;
  version?: string;
  apiVersion?: string;
  os?: string;
  error?: string;
}

export function dockerEndpoint(): string {
  return process.env.DOCKER_HOST ?? (process.platform === "win32" ? "npipe:////./pipe/docker_engine" : "unix:///var/run/docker.sock");
}

/** dockerode is loaded only by commands that talk to the engine. */
export async function dockerClient(): Promise<Docker> {
  const { default: DockerCtor } = await import("dockerode");
  return new DockerCtor();
}

export async function probeEngine(timeoutMs = 3000): Promise<EngineInfo> {
  const endpoint = dockerEndpoint();
  try {
    const docker = await dockerClient();
    const version = await withTimeout(docker.version(), timeoutMs);
    return { reachable: true, endpoint, version: version.Version, apiVersion: version.ApiVersion, os: `${version.Os}/${version.Arch}` };
  } catch (error) {
    return { reachable: false, endpoint, error: (error as Error).message };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DevstackError(`no answer within ${ms} ms`, { kind: "timeout" })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
