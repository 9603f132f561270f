import pg from "pg";
import { volumeName } from "../names.js";
import { scramVerifier } from "../scram.js";
import { waitFor } from "../wait.js";
import { resolveImage, type StandIn } from "./standin.js";

/** RDS's stand-in: the official Postgres image at the app's version, its data in a volume. */
const POSTGRES_PORT = 5432;
const PGDATA = "/var/lib/postgresql/data";

/** The container's superuser password, generated into the platform group of the secret store. */
export const POSTGRES_SUPERUSER = { group: "platform" as const, name: "postgres-superuser-password" };

export const postgres: StandIn = {
  component: "postgres",
  nameSuffix: "postgres",
  image: "docker.io/library/postgres:{version}",
  memoryMi: 96,
  wanted: ({ config }) => Boolean(config.app.database) && config.profile.database.type === "local",
  container: ({ config, stack }) => ({
    component: "postgres",
    image: resolveImage(postgres, config.profile.images, config.app.database?.version),
    env: { POSTGRES_USER: "postgres", POSTGRES_DB: "postgres", PGDATA },
    secretEnv: { POSTGRES_PASSWORD: POSTGRES_SUPERUSER },
    ports: [{ container: POSTGRES_PORT, host: config.profile.ports.postgres, purpose: "PostgreSQL", key: "ports.postgres" }],
    volumes: [{ name: volumeName(stack, "postgres"), path: PGDATA }],
    aliases: ["postgres"],
    // pg_isready needs no password: the password never sits in the container's config.
    healthcheck: ["CMD", "pg_isready", "-U", "postgres", "-h", "127.0.0.1"],
  }),
  url: (config) => `postgresql://127.0.0.1:${config.profile.ports.postgres}`,
  clusterPorts: [{ name: "postgres", port: POSTGRES_PORT }],
};

export interface RoleSetup {
  port: number;
  superuserPassword: string;
  role: string;
  password: string;
  database: string;
}

/**
 * The app's role and database in the Postgres container, with the generated
 * credentials from the secret store; idempotent, and a rotated password is
 * applied on the next run.
 */
export async function ensureAppDatabase(setup: RoleSetup, timeoutMs = 60_000): Promise<{ createdRole: boolean; createdDatabase: boolean }> {
  const client = await waitFor(
    "PostgreSQL",
    async () => {
      const c = new pg.Client({ host: "127.0.0.1", port: setup.port, user: "postgres", password: setup.superuserPassword, database: "postgres", connectionTimeoutMillis: 2000 });
      try {
        await c.connect();
        return c;
      } catch (error) {
        await c.end().catch(() => undefined);
        throw error;
      }
    },
    timeoutMs,
    500,
  );
  try {
    const role = client.escapeIdentifier(setup.role);
    const verifier = client.escapeLiteral(scramVerifier(setup.password));
    const exists = (await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [setup.role])).rowCount === 1;
    await client.query(`${exists ? "ALTER" : "CREATE"} ROLE ${role} LOGIN PASSWORD ${verifier}`);
    const hasDb = (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [setup.database])).rowCount === 1;
    if (!hasDb) await client.query(`CREATE DATABASE ${client.escapeIdentifier(setup.database)} OWNER ${role}`);
    return { createdRole: !exists, createdDatabase: !hasDb };
  } finally {
    await client.end();
  }
}
