// The migration (a pre-upgrade Job): every statement is idempotent, so it
// runs again on each deploy and on a retried Job.
import { connect, migrate } from "./db.js";
import { log } from "./log.js";

const pool = connect();
try {
  const statements = await migrate(pool);
  log("info", "migrated", { event: "migrate", statements });
} catch (error) {
  log("error", "migration failed", { error: error.message });
  process.exitCode = 1;
} finally {
  await pool.end();
}
