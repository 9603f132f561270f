import { loadConfig } from "../../config/resolve.js";
import { releases } from "../../deploy/release-ops.js";
import { clusterAccess } from "../../deploy/target.js";
import { colors, out, printResult, table } from "../output.js";

export async function run(options: { profile?: string; json?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const access = await clusterAccess(config);
  try {
    const list = await releases(config, access);
    if (options.json) {
      printResult("releases", { profile: config.profileName, release: config.app.name, releases: list });
      return 0;
    }
    if (list.length === 0) {
      out(`${config.app.name} has no release in ${config.profileName} yet; \`devstack deploy --profile ${config.profileName}\` makes the first`);
      return 0;
    }
    out(
      table([
        [colors.dim("rev"), colors.dim("status"), colors.dim("when"), colors.dim("commit"), colors.dim("image digest"), colors.dim("by")],
        ...list.map((r) => [
          String(r.revision),
          r.status === "deployed" ? colors.green(r.status) : r.status,
          r.record?.at ?? r.updated,
          r.record?.commit ? `${r.record.commit.slice(0, 10)}${r.record.dirty ? "+dirty" : ""}` : "-",
          r.record?.digest ? r.record.digest.slice(0, 19) : (r.note ?? "-"),
          r.record?.by ?? "-",
        ]),
      ]),
    );
    return 0;
  } finally {
    access.dispose();
  }
}
