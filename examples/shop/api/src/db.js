import pg from "pg";
import { log } from "./log.js";

// The orders table: what the API writes, the worker fulfils, the cron job
// counts and the export reads (by updated_at, without email: the export is
// for analysis and carries no personal data).
const schema = [
  `CREATE TABLE IF NOT EXISTS orders (
    id bigserial PRIMARY KEY,
    status text NOT NULL DEFAULT 'pending',
    product_id integer NOT NULL,
    quantity integer NOT NULL,
    total_cents integer NOT NULL,
    email text NOT NULL,
    queued_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  "CREATE INDEX IF NOT EXISTS orders_updated_at ON orders (updated_at)",
  // The worker's sweep looks for orders whose job was lost.
  "CREATE INDEX IF NOT EXISTS orders_pending ON orders (queued_at) WHERE status = 'pending'",
];

export function connect() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  const pool = new pg.Pool({ connectionString: url, max: 5, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 5_000 });
  // An idle connection the server dropped (a restart, a failover) is an event, not a crash: the pool opens a new one on the next query.
  pool.on("error", (error) => log("warn", "database connection lost", { error: error.message }));
  return pool;
}

export async function migrate(pool) {
  for (const statement of schema) await pool.query(statement);
  return schema.length;
}
