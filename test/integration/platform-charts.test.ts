import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyPlatform } from "../../src/charts/verify-platform.js";
import { loadConfig } from "../../src/config/resolve.js";
import { devstack, HELLO, ROOT } from "../support/cli.js";
import { helmMissing } from "../support/helm.js";

// Tier 3: the platform chart against its seven real subcharts at their
// pinned versions. No chart repository can be reached from CI machines, so
// this runs where a maintainer has assembled the packages (README: "Checking
// the platform against its real charts") and points DEVSTACK_PLATFORM_CHARTS
// at them; elsewhere it skips, saying so.
const dir = process.env.DEVSTACK_PLATFORM_CHARTS;
const MINIMAL = join(ROOT, "test", "fixtures", "minimal");
const missing = !dir ? "DEVSTACK_PLATFORM_CHARTS is not set (a directory of the subchart packages)" : !existsSync(dir) ? `${dir} does not exist` : helmMissing();
if (missing) process.stderr.write(`skip: the platform against its real subcharts: ${missing}\n`);

describe.skipIf(missing !== undefined)(`the platform against its real subcharts${missing ? ` [skipped: ${missing}]` : ""}`, () => {
  const env = { DEVSTACK_PLATFORM_CHARTS: dir ?? "" };

  it("lints, renders and validates strictly for every built-in profile and both install passes", async () => {
    const configs = [HELLO, MINIMAL].flatMap((cwd) => ["local", "prod"].map((profile) => loadConfig({ cwd, profile })));
    const result = await verifyPlatform({ dir: dir as string, configs });
    expect(result.findings).toEqual([]);
    expect(result).toMatchObject({ lintErrors: 0, lintWarnings: 0, invalidObjects: 0, containersWithoutResources: 0, imagesNotMirrored: 0, unknownValueKeys: 0, budgetMismatches: 0 });
    expect(result.charts).toHaveLength(7);
    expect(result.crds).toBeGreaterThan(20);
    expect(result.containers).toBeGreaterThan(40);
  }, 300_000);

  it.each([
    ["examples/hello", HELLO],
    ["an app with nothing but a service", MINIMAL],
  ])("renders %s in both profiles with every subchart, and diff --strict holds", (_name, cwd) => {
    for (const profile of ["local", "prod"]) {
      const r = devstack(["render", "--profile", profile, "--json"], { cwd, env, timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
      const releases = (JSON.parse(r.stdout) as { releases: { release: string; skipped: unknown; withoutCrd: string[] }[] }).releases;
      for (const release of releases) expect(release).toMatchObject({ skipped: null, withoutCrd: [] });
    }
    const diff = devstack(["diff", "local", "prod", "--strict", "--json"], { cwd, env, timeoutMs: 120_000 });
    expect(diff.code, diff.stdout).toBe(0);
    const manifests = (JSON.parse(diff.stdout) as { manifests: { skippedDependencies: string[]; unexpected: unknown[] } }).manifests;
    expect(manifests).toMatchObject({ skippedDependencies: [], unexpected: [] });
  }, 300_000);
});
