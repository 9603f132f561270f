import { loadConfig } from "../../config/resolve.js";
import { secretPlan } from "../../secrets/model.js";
import { openStore } from "../../secrets/open-store.js";
import { secretStates } from "../../secrets/sync.js";
import { colors, out, printResult, table } from "../output.js";
import { protectSnapshot } from "../protect.js";
import { showStoreNotices } from "./secrets-notices.js";

export async function run(options: { profile?: string; json?: boolean }): Promise<number> {
  showStoreNotices(options.json);
  const config = loadConfig({ profile: options.profile ?? "local" });
  const store = await openStore(config);
  const snapshot = await store.read();
  protectSnapshot(config, snapshot);
  const states = secretStates(secretPlan(config), snapshot);
  if (options.json) {
    printResult("secrets ls", { profile: config.profileName, store: { kind: store.kind, location: store.location }, secrets: states });
    return 0;
  }
  out(`secrets of ${config.app.name} in profile ${colors.bold(config.profileName)} · ${store.location}\n`);
  out(
    table([
      [colors.dim("name"), colors.dim("kind"), colors.dim("state"), colors.dim("last changed"), colors.dim("about")],
      ...states.map((s) => [s.name, s.kind, s.state === "present" ? colors.green("present") : colors.red("missing"), s.updatedAt ?? "-", s.description ?? ""]),
    ]),
  );
  const missing = states.filter((s) => s.state === "missing");
  if (missing.length > 0) {
    out(`\n${missing.length} missing: generated ones are made by \`devstack secrets sync\`; external ones with \`devstack secrets set NAME --profile ${config.profileName}\``);
  }
  return 0;
}
