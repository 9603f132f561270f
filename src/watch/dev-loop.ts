import type { ResolvedConfig } from "../config/resolve.js";
import { loadConfig } from "../config/resolve.js";
import { runDeploy } from "../effects/deploy.js";
import { stackId } from "../project/ids.js";
import { withStackLock } from "../stack/lock.js";
import type { StepRunner as Step } from "../flows/plan.js";
import { DevstackError } from "../errors.js";
import { inotifyFix, readInotifyLimits, RECOMMENDED_INOTIFY } from "./inotify.js";
import { RedeployLoop, type Batch } from "./loop.js";
import { watchProject } from "./watcher.js";

export interface DevLoopIo {
  step: Step;
  say: (text: string) => void;
  warn: (text: string) => void;
}

function why(batch: Batch): string {
  const shown = batch.paths.slice(0, 3).join(", ");
  const more = batch.paths.length > 3 ? ` and ${batch.paths.length - 3} more` : "";
  return `${batch.config ? "config changed" : "changed"}: ${shown}${more}`;
}

/**
 * `up`'s watch: every save rebuilds only what changed, pushes only new
 * layers, rolls out and waits for readiness, printing why and how long. A
 * change to devstack.yaml or a profile resolves the config again. Runs until
 * the signal aborts it.
 */
export async function runDevLoop(initial: ResolvedConfig, io: DevLoopIo, signal: AbortSignal): Promise<void> {
  const limits = await readInotifyLimits();
  if (limits && limits.maxUserWatches < RECOMMENDED_INOTIFY.maxUserWatches) {
    io.warn(`the inotify watch limit is ${limits.maxUserWatches}: large projects stop being watched silently. Fix:\n${inotifyFix()}`);
  }
  let config = initial;
  const loop = new RedeployLoop(async (batch) => {
    const started = performance.now();
    io.say(`\n${why(batch)}`);
    if (batch.config) {
      try {
        config = loadConfig({ cwd: config.projectDir, profile: config.profileName });
      } catch (error) {
        io.warn(`not redeployed: ${error instanceof DevstackError ? error.message : String(error)}`);
        return;
      }
    }
    try {
      // Each redeploy holds the stack's lock, as up and down do: a concurrent down waits for it, and it for them.
      const deploying = config;
      const result = await withStackLock(stackId(deploying), { command: "up", say: io.warn }, () => runDeploy(deploying, { step: io.step }));
      for (const s of result.skippedSteps) io.say(`  skipped ${s}`);
      io.say(`ready: ${result.url} (revision ${result.revision ?? "?"}) in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      io.warn(`redeploy failed: ${(error as Error).message}\nthe previous version keeps serving; save again to retry`);
    }
  }, { debounceMs: 150 });
  const watcher = await watchProject(config, (path, kind) => loop.notify(path, kind));
  await watcher.ready;
  io.say(`watching ${config.projectDir} — save a file to redeploy; Ctrl-C stops watching (the stack keeps running)`);
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  loop.stop();
  await watcher.close();
}
