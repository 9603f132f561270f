import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../config/resolve.js";
import { DevstackError } from "../../errors.js";
import { stackId } from "../../project/ids.js";
import { stackStateDir } from "../../project/paths.js";
import { out, printResult } from "../output.js";

/** The system trust command for a root certificate file, per OS; sudo asks at most once. */
function trustCommand(file: string, name: string): { argv: string[]; target?: string } | undefined {
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  if (process.platform === "darwin") return { argv: [...sudo, "security", "add-trusted-cert", "-d", "-r", "trustRoot", "-k", "/Library/Keychains/System.keychain", file] };
  if (process.platform === "linux" && existsSync("/usr/local/share/ca-certificates")) {
    const target = `/usr/local/share/ca-certificates/${name}.crt`;
    return { argv: [...sudo, "sh", "-c", `cp "$0" "$1" && update-ca-certificates`, file, target], target };
  }
  return undefined;
}

export async function run(options: { profile?: string; print?: boolean; json?: boolean }): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const id = stackId(config);
  const root = join(stackStateDir(id), "pebble-root.pem");
  if (!existsSync(root)) {
    throw new DevstackError("the local ACME server has not issued anything yet", { fix: "run `devstack up` first; it fetches the root this command trusts" });
  }
  const command = trustCommand(root, `devstack-${id}`);
  if (options.print || !command) {
    if (options.json) printResult("trust", { root, trusted: false, argv: command?.argv ?? null });
    else out(command ? `root: ${root}\nto trust it: ${command.argv.join(" ")}` : `root: ${root}\nimport it into your browser's or system's trusted roots`);
    return 0;
  }
  // Pebble makes a new root on every start; the copy under a fixed name replaces the last one.
  copyFileSync(root, join(stackStateDir(id), "trusted-root.pem"));
  // With --json, stdout is for JSON lines alone: what the trust command says goes to stderr.
  const result = spawnSync(command.argv[0] as string, command.argv.slice(1), { stdio: ["inherit", options.json ? 2 : "inherit", "inherit"] });
  if (result.status !== 0) throw new DevstackError("the system refused to add the root", { fix: `run it yourself: ${command.argv.join(" ")}` });
  if (options.json) printResult("trust", { root, trusted: true, argv: command.argv });
  else out(`trusted ${root}; browsers that use the system store (Chrome, Safari, Edge) accept ${config.url} now; Firefox: import it under Settings → Certificates`);
  return 0;
}
