// Shared with the bench scripts, which run as plain Node.
export { findPostgres, startPostgres, type TestPostgres } from "../../scripts/lib/postgres.mjs";
