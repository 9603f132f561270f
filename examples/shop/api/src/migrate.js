// The migration (a pre-upgrade Job): prints the schema the orders export
// reads. Applying it needs a Postgres client, which this dependency-free
// example leaves to the reader; the statement is idempotent.
import { log } from "./log.js";

export const schema = `CREATE TABLE IF NOT EXISTS orders (
  id bigserial PRIMARY KEY,
  status text NOT NULL DEFAULT 'pending',
  total_cents integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
)`;

log("info", "migration", { event: "migrate", database: process.env.DATABASE_URL ? "configured" : "none", statements: 1 });
