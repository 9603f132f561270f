import { kubeConfig } from "../../cluster/apply.js";
import { appComponentStatus, type AppComponentStatus } from "../../cluster/app-status.js";
import { appNamespace } from "../../config/namespace.js";
import { loadConfig, type ResolvedConfig } from "../../config/resolve.js";
import { localKubeconfigPath } from "../../project/paths.js";
import { connectDocker } from "../../stack/docker.js";
import { stackStatus } from "../../stack/status.js";
import { colors, out, printResult, table } from "../output.js";

/** The app's components in the local cluster; a cluster that does not answer is a note, not a failure of status. */
async function appStatus(config: ResolvedConfig): Promise<{ components: AppComponentStatus[] | null; problem: string | null }> {
  try {
    const kc = await kubeConfig(localKubeconfigPath(config));
    return { components: await appComponentStatus(kc, appNamespace(config), config.app.name), problem: null };
  } catch (error) {
    return { components: null, problem: `not listed (${error instanceof Error ? error.message : String(error)})` };
  }
}

export async function run(options: { profile?: string; json?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const docker = await connectDocker();
  const status = await stackStatus(docker, config);
  const app = status.urls ? await appStatus(config) : { components: null, problem: null };
  if (options.json) {
    printResult("status", { profile: config.profileName, ...status, app: app.components, ...(app.problem ? { appProblem: app.problem } : {}) });
    return 0;
  }
  if (status.components.length === 0) {
    out(`no local stack for ${config.app.name} (${status.stack}); \`devstack up\` starts it`);
    return 0;
  }
  const mark = (h: string) => (h === "healthy" || h === "running" ? colors.green(h) : h === "starting" ? colors.yellow(h) : colors.red(h));
  out(`local stack ${status.stack}:`);
  out(
    table([
      [colors.dim("component"), colors.dim("state"), colors.dim("version"), colors.dim("url")],
      ...status.components.map((c) => [c.component, mark(c.health), c.version, c.url ?? "-"]),
    ], "  "),
  );
  if (status.urls) {
    out(`  app ${status.urls.app} · grafana ${status.urls.grafana} · mail ${status.urls.mail}`);
    // A product of several components: where each routed one answers.
    if (Object.keys(status.urls.components).length > 1) for (const [name, urls] of Object.entries(status.urls.components)) out(`  ${name} ${urls.join(" · ")}`);
  }
  if (app.components && app.components.length > 0) {
    out(`app ${config.app.name}:`);
    out(table([[colors.dim("component"), colors.dim("ready"), colors.dim("version")], ...app.components.map((c) => [c.component, (c.ready === c.desired && c.desired > 0 ? colors.green : colors.yellow)(`${c.ready}/${c.desired}`), c.version])], "  "));
  } else if (app.problem) out(colors.dim(`  app: ${app.problem}`));
  if (status.movedPorts.length > 0) out(`  ports moved off taken defaults: ${status.movedPorts.map((m) => `${m.key} ${m.port} (default ${m.default})`).join(", ")}`);
  if (status.volumes.length > 0) out(colors.dim(`  volumes: ${status.volumes.join(", ")}`));
  return 0;
}
