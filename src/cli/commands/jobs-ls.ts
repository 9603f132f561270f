import { kubeConfig } from "../../cluster/apply.js";
import { listJobs } from "../../cluster/jobs.js";
import { appNamespace } from "../../config/namespace.js";
import { loadConfig } from "../../config/resolve.js";
import { clusterAccess } from "../../deploy/target.js";
import { colors, out, printResult, table } from "../output.js";

export async function run(options: { profile?: string; json?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const access = await clusterAccess(config);
  try {
    const rows = await listJobs(await kubeConfig(access.kubeconfig, access.context), appNamespace(config), config.app.name);
    if (options.json) printResult("jobs ls", { profile: config.profileName, jobs: rows });
    else if (rows.length === 0) out(`no cron jobs of ${config.app.name} in ${config.profileName}`);
    else
      out(
        table([
          [colors.dim("job"), colors.dim("schedule"), colors.dim("time zone"), colors.dim("last run"), colors.dim("result")],
          ...rows.map((r) => [r.name, r.suspended ? `${r.schedule} (suspended)` : r.schedule, r.timeZone ?? "-", r.lastRun ?? "never", r.lastResult === "failed" ? colors.red("failed") : (r.lastResult ?? "-")]),
        ]),
      );
    return 0;
  } finally {
    access.dispose();
  }
}
