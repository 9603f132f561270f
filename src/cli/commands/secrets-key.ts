import { resolve } from "node:path";
import { DevstackError, UsageError } from "../../errors.js";
import { KeyHome } from "../../secrets/key-home.js";
import { exportKey, importKey, keyStatus, keyText, moveKey, startOver } from "../../secrets/store-key.js";
import { colors, out, printEvent, printResult } from "../output.js";
import { showStoreNotices } from "./secrets-notices.js";

interface Options {
  json?: boolean;
  export?: string;
  import?: string;
  moveTo?: string;
  startOver?: boolean;
}

/**
 * `devstack secrets key`: where the store key lives and whether it opens the
 * stores; --export, --import, --move-to and --start-over. The key itself
 * goes only to a file the user names, or to a pipe — never to a terminal.
 */
export async function run(options: Options): Promise<number> {
  showStoreNotices(options.json);
  const actions = [options.export, options.import, options.moveTo, options.startOver].filter((a) => a !== undefined && a !== false);
  if (actions.length > 1) throw new UsageError("give one of --export, --import, --move-to and --start-over at a time");
  const home = KeyHome.user();

  if (options.export !== undefined) {
    if (options.export === "-") {
      if (options.json) throw new UsageError("--export - writes the key itself to stdout, which cannot be combined with --json", "name a file instead: `devstack secrets key --export FILE --json`");
      if (process.stdout.isTTY) {
        throw new UsageError("the key is never printed on a terminal", "name a file (`devstack secrets key --export ~/devstack-store-key.txt`) or pipe it into a password manager (`devstack secrets key --export - | …`)");
      }
      // Straight to the pipe: not through the output filter, which knows secret values but not the key.
      process.stdout.write(await keyText(home));
      return 0;
    }
    const target = resolve(options.export);
    const key = await exportKey(home, target);
    if (options.json) printResult("secrets key", { action: "export", exported: target, key: { where: key.where, kind: key.location.kind, recipient: key.recipient } });
    else out(`wrote a backup of the secret store key (${key.where}) to ${target} (mode 600); keep it somewhere safe, never in a repository`);
    return 0;
  }

  if (options.import !== undefined) {
    const source = resolve(options.import);
    const { key, changed } = await importKey(home, source);
    if (options.json) printResult("secrets key", { action: "import", imported: source, changed, key: { where: key.where, kind: key.location.kind, recipient: key.recipient } });
    else out(changed ? `restored the secret store key from ${source} into ${key.where}` : `${source} holds the key already in use (${key.where}); nothing changed`);
    return 0;
  }

  if (options.moveTo !== undefined) {
    if (options.moveTo !== "keychain" && options.moveTo !== "file") throw new UsageError(`--move-to takes keychain or file, not ${options.moveTo}`);
    const { key, changed } = await moveKey(home, options.moveTo);
    if (options.json) printResult("secrets key", { action: "move", moved: changed, key: { where: key.where, kind: key.location.kind, recipient: key.recipient } });
    else out(changed ? `the secret store key is now in ${key.where}` : `the secret store key is already in ${key.where}`);
    return 0;
  }

  if (options.startOver) {
    const { aside, moved } = await startOver(home);
    if (options.json) printResult("secrets key", { action: "start-over", setAside: aside, moved });
    else {
      out(moved.length === 0 ? "there was nothing to set aside" : `set aside in ${aside}:\n${moved.map((m) => `  ${m}`).join("\n")}`);
      out("the next `devstack secrets sync` makes a new key and new values; external secrets must be set again");
    }
    return 0;
  }

  const status = await keyStatus(home);
  if (options.json) {
    // A broken key ends in the error line; what was found comes before it as an event.
    if (status.state === "broken") printEvent("key", { key: status });
    else printResult("secrets key", { action: "status", key: status });
  } else if (status.state === "none") {
    out(`no secret store key yet; the first store makes one in ${status.where}`);
  } else {
    out(`secret store key: ${status.where}${status.kind ? ` (${status.kind})` : ""}`);
    if (status.recipient) out(`public key:       ${status.recipient}`);
    if (status.createdAt) out(`created:          ${status.createdAt}`);
    out(`stores:           ${status.stores.length === 0 ? "none" : status.stores.join("\n                  ")}`);
    if (status.state === "ok") out(colors.dim("back it up with `devstack secrets key --export FILE`"));
  }
  if (status.state === "broken") throw new DevstackError(status.problem ?? "the secret store key cannot be read", status.fix ? { fix: status.fix } : {});
  return 0;
}
