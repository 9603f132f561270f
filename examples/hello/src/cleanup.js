// The nightly job: visits older than the retention period go.
import { connect } from "./db.js";
import { log } from "./log.js";

const days = Number(process.env.RETENTION_DAYS ?? "30");
const pool = connect();
try {
  const result = await pool.query("DELETE FROM visits WHERE created_at < now() - make_interval(days => $1)", [days]);
  log("info", "cleanup done", { event: "cleanup", deleted: result.rowCount, retention_days: days });
} catch (error) {
  log("error", "cleanup failed", { error: error.message });
  process.exitCode = 1;
} finally {
  await pool.end();
}
