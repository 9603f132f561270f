import { connect, migrate } from "./db.js";
import { log } from "./log.js";

const pool = connect();
try {
  await migrate(pool);
  log("info", "migrated", { event: "migrate" });
} catch (error) {
  log("error", "migration failed", { error: error.message });
  process.exitCode = 1;
} finally {
  await pool.end();
}
