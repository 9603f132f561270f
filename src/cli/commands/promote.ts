import { createInterface } from "node:readline/promises";
import { diffValues } from "../../config/diff.js";
import { loadConfig } from "../../config/resolve.js";
import { configView } from "../../config/view.js";
import { UsageError } from "../../errors.js";
import { deploy } from "../../deploy/pipeline.js";
import { changesAgainstRunning, copyImage, runningImage } from "../../deploy/promote.js";
import { connectDocker } from "../../stack/docker.js";
import { colors, err, out } from "../output.js";
import { openStore } from "../../secrets/open-store.js";
import { secretsVersion } from "../../secrets/sync.js";
import { protectLocalStores, protectSnapshot } from "../protect.js";
import { Reporter } from "../tasks.js";

export async function run(options: { profile?: string; from?: string; yes?: boolean; json?: boolean }): Promise<number> {
  const target = loadConfig({ profile: options.profile ?? "prod" });
  const source = loadConfig({ profile: options.from ?? "staging" });
  await protectLocalStores([target, source]);
  const reporter = Reporter.forOutput(options.json ?? false);
  try {
    const from = await reporter.step(`${source.profileName}: the image running now`, () => runningImage(source));
    const docker = await connectDocker();
    const image = await reporter.step("image: copy by digest (never rebuilt)", () => copyImage(docker, source, target, from));
    const config = diffValues(configView(source), configView(target), (p) => p === "profile.file" || p === "profile.source");
    const targetSecrets = await (await openStore(target)).read();
    protectSnapshot(target, targetSecrets);
    const changes = await reporter.step(`${target.profileName}: compare with what runs now`, () => changesAgainstRunning(target, image, secretsVersion(targetSecrets)));
    if (!options.json) {
      out(`promote ${target.app.name} ${from.repository}@${from.digest} from ${source.profileName} (revision ${from.revision}) to ${colors.bold(target.profileName)}`);
      out(colors.dim(`  ${config.length} config values differ between ${source.profileName} and ${target.profileName} (\`devstack diff ${source.profileName} ${target.profileName}\` lists them)`));
      for (const c of changes) {
        out(`  ${c.change === "added" ? colors.green("+") : c.change === "removed" ? colors.red("-") : colors.yellow("~")} ${c.resource}`);
        for (const f of c.fields.slice(0, 8)) out(colors.dim(`      ${f.path}: ${JSON.stringify(f.a)} → ${JSON.stringify(f.b)}`));
        if (c.fields.length > 8) out(colors.dim(`      … ${c.fields.length - 8} more`));
      }
    } else {
      out(JSON.stringify({ event: "plan", from: { profile: source.profileName, ...from }, image, changes }));
    }
    if (!options.yes) {
      if (!process.stdin.isTTY) throw new UsageError("promote changes a running environment and needs confirmation", "add --yes to confirm");
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`deploy this to ${target.profileName}? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        err("nothing was deployed");
        return 1;
      }
    }
    const result = await deploy(target, { step: (t, w) => reporter.step(t, w), image, promotedFrom: source.profileName, onSecrets: (s) => protectSnapshot(target, s) });
    if (options.json) out(JSON.stringify({ event: "done", ...result }));
    else out(`${colors.green("promoted")}: ${result.url} answers with ${result.image} (revision ${result.revision ?? "?"})`);
    return 0;
  } finally {
    reporter.close();
  }
}
