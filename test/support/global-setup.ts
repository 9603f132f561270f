import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * The CLI tests run the built binary; rebuild when src/ is newer than dist/.
 * Every test process gets its own DEVSTACK_HOME, so no run reads or writes the
 * user's real config, cache or secret stores.
 */
export default function setup(): () => void {
  const home = mkdtempSync(join(tmpdir(), "devstack-test-home-"));
  process.env.DEVSTACK_HOME = home;
  const built = join(root, "dist", "cli", "main.js");
  if (!existsSync(built) || newest(join(root, "src")) > statSync(built).mtimeMs) {
    execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  }
  return () => rmSync(home, { recursive: true, force: true });
}
