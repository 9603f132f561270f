import { createInterface } from "node:readline/promises";
import { loadConfig } from "../../config/resolve.js";
import { UsageError } from "../../errors.js";
import { connectDocker } from "../../stack/docker.js";
import { downStack } from "../../stack/status.js";
import { out, printResult } from "../output.js";
import { stackId } from "../../project/ids.js";
import { withStackLock } from "../../stack/lock.js";
import { Reporter } from "../reporter.js";
import { stackLockOptions } from "../stack-lock.js";

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function run(options: { profile?: string; purge?: boolean; yes?: boolean; json?: boolean; wait?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const purge = options.purge ?? false;
  if (purge && !options.yes) {
    if (!process.stdin.isTTY) throw new UsageError("--purge deletes the stack's volumes (database, registry, cluster) and needs confirmation", "add --yes to confirm");
    if (!(await confirm(`delete every volume of ${config.app.name}'s local stack (database, registry, cluster)? [y/N] `))) {
      if (options.json) printResult("down", { profile: config.profileName, purge, confirmed: false, stopped: [], removed: [], volumes: [], steps: [] });
      else out("nothing was deleted");
      return 1;
    }
  }
  const docker = await connectDocker();
  const reporter = Reporter.forOutput(options.json ?? false);
  try {
    const lock = stackLockOptions("down", options, reporter);
    const result = await withStackLock(stackId(config), lock, () => downStack(docker, config, purge, (title, work) => reporter.step(title, work)));
    if (options.json) printResult("down", { profile: config.profileName, purge, confirmed: true, ...result, steps: reporter.steps });
    else if (result.stopped.length === 0 && result.removed.length === 0) out(`nothing of ${config.app.name}'s local stack was running`);
    else out(purge ? `removed ${result.removed.length} containers, ${result.volumes.length} volumes and ${result.images?.length ?? 0} images` : `stopped ${result.stopped.length} containers; volumes kept (\`devstack down --purge\` deletes them)`);
    return 0;
  } finally {
    reporter.close();
  }
}
