import { loadConfig } from "../../config/resolve.js";
import { DevstackError, UsageError } from "../../errors.js";
import { releases, rollbackTo, smoke } from "../../deploy/pipeline.js";
import { rollbackTarget } from "../../deploy/release-record.js";
import { clusterAccess } from "../../deploy/target.js";
import { colors, out } from "../output.js";
import { Reporter } from "../tasks.js";

export async function run(options: { profile?: string; to?: string; json?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const access = await clusterAccess(config);
  const reporter = Reporter.forOutput(options.json ?? false);
  try {
    const list = await releases(config, access);
    const serving = list.find((r) => r.status === "deployed");
    const target = options.to !== undefined ? Number(options.to) : rollbackTarget(list);
    if (target === undefined || Number.isNaN(target)) throw new UsageError("there is no earlier release to roll back to", "`devstack releases` lists them; pick one with --to REVISION");
    if (!list.some((r) => r.revision === target)) throw new UsageError(`revision ${target} does not exist`, "`devstack releases` lists them");
    await reporter.step(`rollback: ${config.app.name} to revision ${target}`, () => rollbackTo(config, access, target));
    const result = await reporter.step(`smoke: ${config.url}${config.app.service.health}`, () => smoke(config, 3 * 60_000));
    if (!result.ok) {
      // What served before keeps serving: the rollback is undone.
      if (serving) await reporter.step(`rollback: back to revision ${serving.revision}, which served before`, () => rollbackTo(config, access, serving.revision));
      throw new DevstackError(`revision ${target} does not answer: ${result.error ?? "no answer"}; revision ${serving?.revision ?? "?"} serves again`, { fix: "`devstack releases` shows the others; pick one with --to" });
    }
    if (options.json) out(JSON.stringify({ event: "done", profile: config.profileName, revision: target, smoke: result }));
    else out(`${colors.green("rolled back")} ${config.app.name} in ${config.profileName} to revision ${target}; ${config.url} answers`);
    return 0;
  } finally {
    reporter.close();
    access.dispose();
  }
}
