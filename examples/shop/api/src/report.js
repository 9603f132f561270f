// The daily cron job: asks the API for the day's figures and logs them.
import { api } from "./client.js";
import { log } from "./log.js";

try {
  const stats = await api("/stats");
  log("info", "daily report", { event: "report", ...stats });
} catch (error) {
  log("error", "daily report failed", { error: error.message });
  process.exitCode = 1;
}
