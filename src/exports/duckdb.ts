import { createRequire } from "node:module";

type DuckDB = typeof import("@duckdb/node-api");

let loaded: DuckDB | undefined;

/**
 * DuckDB's Node API, loaded on first use. Required, not imported: it is
 * CommonJS of over a hundred files, and an ESM import has Node parse each
 * for its export names first, which doubled the time (about 100 ms) an
 * export's main thread stops reading Postgres while it loads.
 */
export function duckdb(): DuckDB {
  return (loaded ??= createRequire(import.meta.url)("@duckdb/node-api") as DuckDB);
}
