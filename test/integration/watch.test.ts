import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/resolve.js";
import { RedeployLoop, type Batch } from "../../src/watch/loop.js";
import { watchProject } from "../../src/watch/watcher.js";
import { HELLO } from "../support/cli.js";

describe("watching a real project directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "devstack-watch-"));
  for (const f of ["devstack.yaml", "Dockerfile", ".dockerignore", "package.json", "src", "profiles"]) cpSync(join(HELLO, f), join(dir, f), { recursive: true });
  writeFileSync(join(dir, ".gitignore"), "*.log\n");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("triggers one redeploy for a burst of writes, ignores ignored files, and re-resolves config on a profile change", async () => {
    const config = loadConfig({ cwd: dir, profile: "local" });
    const batches: Batch[] = [];
    const loop = new RedeployLoop(async (batch) => void batches.push(batch), { debounceMs: 200 });
    const watcher = await watchProject(config, (path, kind) => loop.notify(path, kind));
    await watcher.ready;
    try {
      appendFileSync(join(dir, "src", "server.js"), "\n// one-line change\n");
      writeFileSync(join(dir, "src", "new.js"), "export const x = 1;\n");
      writeFileSync(join(dir, "debug.log"), "ignored by .gitignore\n");
      writeFileSync(join(dir, "README.md"), "ignored by .dockerignore\n");
      await waitUntil(() => batches.length >= 1);
      expect(batches[0]?.paths.sort()).toEqual(["src/new.js", "src/server.js"]);
      expect(batches[0]?.config).toBe(false);

      // A second batch from the burst (or from an ignored file) would come before the profile's.
      appendFileSync(join(dir, "profiles", "local.yaml"), "\n# touched\n");
      await waitUntil(() => batches.some((b) => b.config));
      expect(batches).toHaveLength(2);
      expect(batches[1]).toEqual({ paths: ["profiles/local.yaml"], config: true });
    } finally {
      loop.stop();
      await watcher.close();
    }
  }, 30_000);
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the watcher");
    await new Promise((r) => setTimeout(r, 50));
  }
}
