import type Docker from "dockerode";
import { DevstackError } from "../../errors.js";
import { putFiles, readContainerFile, secretFilePath } from "../container-files.js";
import { volumeName } from "../names.js";
import { waitFor } from "../wait.js";
import { resolveImage, type StandIn } from "./standin.js";

/** ElastiCache's stand-in: Redis, its data in a volume, its password from the secret store. */
const REDIS_PORT = 6379;

/** The password of Redis's default user, generated into the redis group of the secret store. */
export const REDIS_PASSWORD = { group: "redis" as const, name: "password" };

/** The user the app authenticates as; `requirepass` is the default user's password. */
export const REDIS_USER = "default";

const PASSWORD_FILE = secretFilePath("REDIS_PASSWORD");

// The password reaches redis-server as config on its stdin ("-"), read from
// the secret file when the server starts: never on a command line, in the
// container's env or in a label. The stored password is alphanumeric, so it
// needs no quoting on a config line. `exec` keeps redis-server PID 1, so
// `docker stop` reaches it and it saves its data before exiting.
const START = `exec redis-server - --dir /data <<EOF
requirepass $(cat "$REDIS_PASSWORD_FILE")
EOF`;

export const redis: StandIn = {
  component: "redis",
  nameSuffix: "redis",
  image: "docker.io/library/redis:7.4-bookworm",
  memoryMi: 16,
  wanted: ({ config }) => config.app.redis !== undefined && config.profile.redis.type === "local",
  container: ({ config, stack }) => ({
    component: "redis",
    image: resolveImage(redis, config.profile.images),
    cmd: ["sh", "-c", START],
    env: {},
    secretEnv: { REDIS_PASSWORD },
    ports: [{ container: REDIS_PORT, host: config.profile.ports.redis, purpose: "Redis", key: "ports.redis" }],
    volumes: [{ name: volumeName(stack, "redis"), path: "/data" }],
    aliases: ["redis"],
    // REDISCLI_AUTH keeps the password off redis-cli's command line; healthy means the server takes the password in its file.
    healthcheck: ["CMD-SHELL", `REDISCLI_AUTH="$(cat "$REDIS_PASSWORD_FILE")" redis-cli ping | grep -q PONG`],
    // The upstream image's entrypoint drops root only for a bare redis-server command, not for sh -c.
    user: "redis",
  }),
  url: (config) => `redis://127.0.0.1:${config.profile.ports.redis}`,
  clusterPorts: [{ name: "redis", port: REDIS_PORT }],
};

type Outcome = "ok" | "refused";
type Then = (client: { configSet(name: string, value: string): Promise<unknown> }) => Promise<unknown>;

/**
 * Connects as the default user with this password, PINGs, then runs `then`.
 * "refused": the server answered and would not take the password. Anything
 * else (not listening yet, still loading its data) throws, to be retried.
 */
async function tryRedis(port: number, password: string, then?: Then): Promise<Outcome> {
  const { createClient } = await import("@redis/client");
  const client = createClient({
    socket: { host: "127.0.0.1", port, connectTimeout: 2000, reconnectStrategy: false },
    username: REDIS_USER,
    password,
    // Redis 7.0 has no CLIENT SETINFO.
    disableClientInfo: true,
  });
  // Failures come back from connect(); the event would otherwise be unhandled.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
    await then?.(client);
    return "ok";
  } catch (error) {
    if (/^(NOAUTH|WRONGPASS)\b/.test((error as Error).message)) return "refused";
    throw error;
  } finally {
    client.destroy();
  }
}

/**
 * Makes the Redis container take the stored password; idempotent. A rotated
 * password is applied live with CONFIG SET, authenticated with the password
 * the server started with (the one in its secret file), after that file
 * holds the new one, so a restart and the health check agree with the
 * server. A server that takes neither (changed by hand) is restarted and so
 * reads its file again.
 */
export async function ensureRedisPassword(docker: Docker, containerName: string, port: number, password: string, timeoutMs = 60_000): Promise<"kept" | "changed"> {
  const answer = (secret: string, then?: Then) => waitFor("Redis", () => tryRedis(port, secret, then), timeoutMs, 250);
  if ((await answer(password)) === "ok") return "kept";
  const container = docker.getContainer(containerName);
  const previous = await readContainerFile(container, PASSWORD_FILE);
  await putFiles(container, [{ path: PASSWORD_FILE, content: password, mode: 0o444 }]);
  if (previous !== undefined && previous !== password && (await answer(previous, (client) => client.configSet("requirepass", password))) === "ok") {
    if ((await answer(password)) === "ok") return "changed";
  }
  await container.restart({ t: 10 });
  if ((await answer(password)) !== "ok") {
    throw new DevstackError(`Redis in ${containerName} refuses the stored password even after a restart`, {
      fix: `remove the container (\`docker rm -f ${containerName}\`): the next \`devstack up\` creates it again with the stored password, over the same data volume`,
    });
  }
  return "changed";
}
