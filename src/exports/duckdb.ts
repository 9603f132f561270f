import { createRequire } from "node:module";

type DuckDB = typeof import("@duckdb/node-api");

let loaded: DuckDB | undefined;

/**
 * DuckDB's Node API on this thread, loaded on first use (by `--query`; a
 * run's conversion has a thread of its own, duckdb-worker.ts). Required, not
 * imported: it is CommonJS of over a hundred files, and an ESM import has
 * Node parse each for its export names first, which doubled its load time.
 */
export function duckdb(): DuckDB {
  return (loaded ??= createRequire(import.meta.url)("@duckdb/node-api") as DuckDB);
}
