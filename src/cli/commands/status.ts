import { loadConfig } from "../../config/resolve.js";
import { connectDocker } from "../../stack/docker.js";
import { stackStatus } from "../../stack/status.js";
import { colors, out, printResult, table } from "../output.js";

export async function run(options: { profile?: string; json?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const docker = await connectDocker();
  const status = await stackStatus(docker, config);
  if (options.json) {
    printResult("status", { profile: config.profileName, ...status });
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
  if (status.volumes.length > 0) out(colors.dim(`  volumes: ${status.volumes.join(", ")}`));
  return 0;
}
