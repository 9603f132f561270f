// The daily cron job: the last day's orders from Postgres, as one log line
// Grafana can query.
import { connect } from "./db.js";
import { log } from "./log.js";

const pool = connect();
try {
  const { rows } = await pool.query(`
    SELECT count(*)::int AS orders,
           count(*) FILTER (WHERE status = 'fulfilled')::int AS fulfilled,
           count(*) FILTER (WHERE status = 'pending')::int AS pending,
           coalesce(sum(total_cents), 0)::bigint AS revenue_cents
      FROM orders
     WHERE created_at >= now() - interval '1 day'`);
  log("info", "daily report", { event: "report", ...rows[0], revenue_cents: Number(rows[0].revenue_cents) });
} catch (error) {
  log("error", "daily report failed", { error: error.message });
  process.exitCode = 1;
} finally {
  await pool.end();
}
