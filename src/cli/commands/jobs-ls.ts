import { kubeConfig } from "../../cluster/apply.js";
import { listJobs } from "../../cluster/jobs.js";
import { appNamespace } from "../../config/namespace.js";
import { loadConfig, type ResolvedConfig } from "../../config/resolve.js";
import { primaryComponent } from "../../config/schema/app.js";
import { UsageError } from "../../errors.js";
import { clusterAccess } from "../../deploy/target.js";
import { colors, out, printResult, table } from "../output.js";

/**
 * The component whose image each CronJob runs, by CronJob name: a job's own
 * component: or the primary's; scheduled exports run devstack's tools image.
 */
function jobComponents(config: ResolvedConfig): Map<string, string> {
  const primary = primaryComponent(config.app).name;
  const owner = (name: string) => {
    const c = config.app.components[name];
    return c?.image ?? name;
  };
  return new Map([
    ...Object.entries(config.app.jobs).map(([name, job]): [string, string] => [`${config.app.name}-${name}`, owner(job.component ?? primary)]),
    ...Object.keys(config.app.exports).map((name): [string, string] => [`${config.app.name}-export-${name}`, "exports"]),
  ]);
}

export async function run(options: { profile?: string; json?: boolean; component?: string }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const components = jobComponents(config);
  const known = [...new Set(components.values())];
  if (options.component !== undefined && !known.includes(options.component)) {
    throw new UsageError(`no cron job runs the image of ${options.component}`, known.length ? `jobs run the images of: ${known.join(", ")}` : "the app has no cron jobs");
  }
  const access = await clusterAccess(config);
  try {
    const all = (await listJobs(await kubeConfig(access.kubeconfig, access.context), appNamespace(config), config.app.name)).map((r) => ({ ...r, component: components.get(r.name) ?? null }));
    const rows = options.component === undefined ? all : all.filter((r) => r.component === options.component);
    if (options.json) printResult("jobs ls", { profile: config.profileName, jobs: rows });
    else if (rows.length === 0) out(`no cron jobs of ${config.app.name} in ${config.profileName}`);
    else
      out(
        table([
          [colors.dim("job"), colors.dim("component"), colors.dim("schedule"), colors.dim("time zone"), colors.dim("last run"), colors.dim("result")],
          ...rows.map((r) => [r.name, r.component ?? "-", r.suspended ? `${r.schedule} (suspended)` : r.schedule, r.timeZone ?? "-", r.lastRun ?? "never", r.lastResult === "failed" ? colors.red("failed") : (r.lastResult ?? "-")]),
        ]),
      );
    return 0;
  } finally {
    access.dispose();
  }
}
