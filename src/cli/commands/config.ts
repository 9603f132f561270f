import { stringify } from "yaml";
import { loadConfig } from "../../config/resolve.js";
import { protectLocalStores } from "../protect.js";
import { configView } from "../../config/view.js";
import { colors, out, printResult } from "../output.js";

export async function run(options: { profile?: string; json?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  await protectLocalStores([config]);
  const view = configView(config);
  if (options.json) {
    printResult("config", view);
    return 0;
  }
  out(colors.dim(`# profile ${view.profile.name} (${view.profile.file}) · ${view.url}`));
  out(colors.dim("# secrets are listed by name and kind; their values are never shown"));
  out(stringify(view, { lineWidth: 0 }).trimEnd());
  return 0;
}
