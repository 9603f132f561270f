import { kubeConfig } from "../../cluster/apply.js";
import { runJob } from "../../cluster/jobs.js";
import { appNamespace } from "../../config/namespace.js";
import { loadConfig } from "../../config/resolve.js";
import { UsageError } from "../../errors.js";
import { clusterAccess } from "../../deploy/target.js";
import { colors, err, errRaw, printEvent, printResult } from "../output.js";
import { protectLocalStores } from "../protect.js";

export async function run(options: { profile?: string; json?: boolean }, [name]: string[]): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  await protectLocalStores([config]);
  // Scheduled exports are CronJobs too, named export-<export>.
  const exportJobs = Object.entries(config.app.exports).flatMap(([n, e]) => (e.schedule ? [`export-${n}`] : []));
  if (!config.app.jobs[name as string] && !exportJobs.includes(name as string)) {
    throw new UsageError(`no job named ${name} in devstack.yaml`, `declared: ${[...Object.keys(config.app.jobs), ...exportJobs].join(", ") || "none"}`);
  }
  const access = await clusterAccess(config);
  try {
    err(colors.dim(`running ${name} now in ${config.profileName}…`));
    // The job's own output goes to stdout as it comes; devstack's lines go to stderr.
    const result = await runJob(await kubeConfig(access.kubeconfig, access.context), appNamespace(config), `${config.app.name}-${name}`, (chunk) => (options.json ? printEvent("output", { text: chunk }) : process.stdout.write(chunk)));
    if (options.json) printResult("jobs run", { profile: config.profileName, ...result });
    else errRaw(`${result.succeeded ? colors.green("succeeded") : colors.red("failed")}: job ${result.job}\n`);
    return result.succeeded ? 0 : 1;
  } finally {
    access.dispose();
  }
}
