import type Docker from "dockerode";
import { DevstackError } from "../errors.js";
import { dockerClient, dockerEndpoint } from "./docker-engine.js";

function noEngine(error: unknown): DevstackError {
  const fix =
    process.platform === "darwin"
      ? "start Docker Desktop, OrbStack or `colima start`, then run the command again"
      : "start the engine: `sudo systemctl start docker` (or `sudo dockerd &`); `devstack doctor` checks it";
  return new DevstackError(`no Docker engine answers at ${dockerEndpoint()}: ${(error as Error).message}`, { fix, kind: "engine", cause: error });
}

/** A client that has answered a ping, or a clear error saying how to start the engine. */
export async function connectDocker(): Promise<Docker> {
  const docker = await dockerClient();
  try {
    await docker.ping();
  } catch (error) {
    throw noEngine(error);
  }
  return docker;
}
