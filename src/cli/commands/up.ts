import { loadConfig } from "../../config/resolve.js";
import { planUpDry, upCluster } from "../../effects/up.js";
import { formatPlan } from "../../flows/plan.js";
import { localBudget } from "../../stack/budget.js";
import { describePlan } from "../../stack/plan.js";
import { componentEnvironments, hostEnvironment } from "../../stack/environment.js";
import { preflight, preflightError } from "../../stack/preflight.js";
import { planLocalStack, upServices } from "../../stack/up-services.js";
import { runDevLoop } from "../../watch/dev-loop.js";
import { colors, err, out, printResult, table } from "../output.js";
import { protectLocalStores, protectSnapshot } from "../protect.js";
import { Reporter } from "../reporter.js";
import { stackLockOptions } from "../stack-lock.js";
import { groupValues } from "../../secrets/store.js";
import { stackId } from "../../project/ids.js";
import { withStackLock } from "../../stack/lock.js";
import type { PortChoice } from "../../stack/ports.js";

/** Each published key's host port, for --json. */
function portsOf(choices: PortChoice[]): Record<string, { port: number; default: number; source: PortChoice["source"] }> {
  return Object.fromEntries(choices.map((c) => [c.key, { port: c.port, default: c.default, source: c.source }]));
}

/** A line per port moved off its default because something else held it. */
function movedLines(choices: PortChoice[]): string[] {
  return choices
    .filter((c) => c.source !== "explicit" && c.port !== c.default)
    .map((c) => `port ${c.key} is ${c.port}: its default ${c.default} was taken when it was chosen (another project's stack, or another program); set ports.${c.key} in the profile to pin one`);
}

interface UpOptions {
  profile?: string;
  servicesOnly?: boolean;
  dryRun?: boolean;
  json?: boolean;
  watch?: boolean;
  /** Wait for another run changing the stack (default), or fail at once. */
  wait?: boolean;
}

export async function run(options: UpOptions): Promise<number> {
  const started = performance.now();
  const config = loadConfig({ profile: options.profile ?? "local" });
  await protectLocalStores([config]);
  const servicesOnly = options.servicesOnly ?? false;

  if (options.dryRun) {
    // The ports a run would settle on, without remembering them.
    const planned = await planLocalStack(config, { cluster: !servicesOnly, requireEngine: false, settlePorts: "preview" });
    const plan = describePlan(planned.plan);
    // The whole plan, the cluster half included, from the planning the run itself follows.
    const whole = await planUpDry(config, planned.plan, !servicesOnly);
    const budget = localBudget(config, planned.plan.containers.map((c) => c.spec.component));
    const problems = planned.docker ? await preflight(planned.docker, planned.plan) : [];
    if (options.json) {
      printResult("up", { dryRun: true, profile: config.profileName, engine: planned.docker !== undefined, plan, flow: whole, memory: budget, ports: portsOf(planned.ports), preflight: problems });
      return 0;
    }
    out(`plan for ${config.app.name}, profile ${colors.bold(config.profileName)}${planned.docker ? "" : colors.dim(" (no Docker engine answered: planned as a fresh machine)")}:`);
    out(`  network ${plan.network.name}: ${plan.network.action}`);
    for (const line of movedLines(planned.ports)) out(`  ${line}`);
    for (const v of plan.volumes) out(`  volume ${v.name}: ${v.action}`);
    for (const c of plan.containers) {
      out(`  ${colors.bold(c.component)}: ${c.action} (${c.reason})`);
      out(colors.dim(`      image ${c.image}${c.cmd ? ` ${c.cmd.join(" ")}` : ""}`));
      for (const p of c.ports) out(colors.dim(`      port ${p}`));
      for (const v of c.volumes) out(colors.dim(`      volume ${v}`));
      for (const [k, v] of Object.entries(c.env)) out(colors.dim(`      env ${k}=${v}`));
    }
    if (!servicesOnly) out(formatPlan({ ...whole, steps: whole.steps.filter((s) => !s.id.startsWith("container.")) }).join("\n"));
    out(`memory: ${budget.totalMi} MiB requested or reserved (goal: at most ${budget.goalMi})`);
    out(table(budget.lines.map((l) => [colors.dim(`  ${l.what}`), `${Math.round(l.mi)} MiB`])));
    if (problems.length > 0) {
      const error = preflightError(problems, config.profileName);
      out(colors.yellow(`\nup would stop here, before starting anything: ${error.message}`));
      out(`fix: ${error.fix ?? ""}`);
    }
    return 0;
  }

  const reporter = Reporter.forOutput(options.json ?? false);
  try {
    const step = <T>(title: string, work: () => Promise<T>) => reporter.step(title, work);
    // One run at a time changes the stack: planned, started and deployed under its lock; the watch loop takes it per redeploy.
    const lock = stackLockOptions("up", options, reporter);
    const { planned, endpoints, snapshot, cluster } = await withStackLock(stackId(config), lock, async () => {
      const planned = await planLocalStack(config, { cluster: !servicesOnly, requireEngine: true, settlePorts: "remember" });
      // The redactor knows every secret before a container is touched, so no message can carry one.
      const { endpoints, snapshot } = await upServices(config, planned, step, { onSecrets: (s) => protectSnapshot(config, s) });
      const cluster = servicesOnly || !planned.docker ? undefined : await upCluster(planned.docker, config, planned.spec, step, { acmeRootChanged: endpoints.acme?.rootChanged ?? false, onSecrets: (s) => protectSnapshot(config, s) });
      return { planned, endpoints, snapshot, cluster };
    });
    const appSecrets = groupValues(snapshot, "app");
    const env = hostEnvironment(config, endpoints, appSecrets);
    // A product of several components: each one's environment, with only the secrets it names.
    const components = Object.keys(config.app.components).length > 1 ? componentEnvironments(config, endpoints, appSecrets) : undefined;
    const ms = Math.round(performance.now() - started);
    for (const s of cluster?.skipped ?? []) reporter.note(`skipped ${s}`);
    if (options.json) {
      printResult("up", { dryRun: false, profile: config.profileName, servicesOnly, ms, endpoints, ports: portsOf(planned.ports), ...(cluster ? { cluster } : { env, ...(components ? { components } : {}) }), steps: reporter.steps });
      return 0;
    }
    if (cluster) {
      out(`\n${colors.green(`${config.app.name} is up`)} at ${colors.bold(cluster.url)} in ${(ms / 1000).toFixed(1)} s`);
      out(`  image ${cluster.image}\n  kubeconfig ${cluster.kubeconfig}`);
      if (endpoints.smtp) out(`  mail ${endpoints.smtp.ui}`);
      if (endpoints.postgres) out(`  postgres ${endpoints.postgres.url}`);
      if (endpoints.redis) out(`  redis ${endpoints.redis.url}`);
      if (endpoints.objectStore) out(`  object store ${endpoints.objectStore.endpoint} (bucket ${endpoints.objectStore.bucket})`);
      if (endpoints.storage) out(`  storage ${endpoints.storage.endpoint} (bucket ${endpoints.storage.bucket})`);
      out(`  grafana ${cluster.grafana}`);
      for (const line of movedLines(planned.ports)) out(`  ${line}`);
      if (endpoints.acme?.rootChanged) out(colors.yellow("  the local ACME server has a new root: `devstack trust` makes browsers accept it (one sudo prompt)"));
      // Watching is the default on a terminal; --no-watch (or no terminal) stops after the first deploy.
      if (options.watch !== false && process.stdout.isTTY) {
        reporter.close();
        const watchReporter = Reporter.forOutput(false);
        const abort = new AbortController();
        process.once("SIGINT", () => abort.abort());
        try {
          await runDevLoop(config, { step: (t, w) => watchReporter.step(t, w), say: (t) => out(t), warn: (t) => err(colors.yellow(t)) }, abort.signal);
        } finally {
          watchReporter.close();
        }
      }
      return 0;
    }
    out(`\n${colors.green("services up")} for ${config.app.name} in ${(ms / 1000).toFixed(1)} s`);
    out(
      table(
        [
          ["registry", endpoints.registry],
          ...(endpoints.postgres ? [["postgres", endpoints.postgres.url]] : []),
          ...(endpoints.acme ? [["acme", `${endpoints.acme.directory} (its HTTPS CA: ${endpoints.acme.caFile})`]] : []),
          ...(endpoints.smtp ? [["smtp", `smtp://${endpoints.smtp.host}:${endpoints.smtp.port}, web UI ${endpoints.smtp.ui}`]] : []),
          ...(endpoints.redis ? [["redis", endpoints.redis.url]] : []),
          ...(endpoints.objectStore ? [["object store", `${endpoints.objectStore.endpoint} (S3, bucket ${endpoints.objectStore.bucket})`]] : []),
          ...(endpoints.storage ? [["storage", `${endpoints.storage.endpoint} (S3, the app's bucket ${endpoints.storage.bucket})`]] : []),
        ],
        "  ",
      ),
    );
    for (const line of movedLines(planned.ports)) out(`  ${line}`);
    if (endpoints.acme?.rootChanged) out(colors.yellow("  the local ACME server has a new root since the last run: certificates it issued before are re-issued on deploy"));
    const secretValues = Object.values(snapshot).flatMap((group) => Object.values(group).map((v) => v.value)).filter((v) => v.length >= 4);
    const filled = (vars: Record<string, string>) => Object.keys(vars).filter((k) => secretValues.some((v) => vars[k]?.includes(v)));
    if (components) {
      for (const [name, own] of Object.entries(components)) {
        out(`\nenvironment of ${colors.bold(name)} on the host (secret values are shown by name):`);
        for (const [k, v] of Object.entries(own)) out(`  export ${k}=${JSON.stringify(v)}`);
        out(colors.dim(`  devstack run --component ${name} fills ${filled(own).join(", ") || "them"} with the real values, for that command only`));
      }
      out(`\nnext: ${colors.bold("devstack run --component <name> -- <its start command>")}`);
      return 0;
    }
    out("\nenvironment for running the app on the host (secret values are shown by name):");
    for (const [k, v] of Object.entries(env)) out(`  export ${k}=${JSON.stringify(v)}`);
    out(colors.dim(`  devstack run fills ${filled(env).join(", ") || "them"} with the real values, for that command only`));
    out(`\nnext: ${colors.bold("devstack run -- <your start command>")} (e.g. devstack run -- npm start)`);
    return 0;
  } finally {
    reporter.close();
  }
}
