import pg from "pg";
import { scramVerifier } from "./scram.js";
import { waitFor } from "./wait.js";

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
