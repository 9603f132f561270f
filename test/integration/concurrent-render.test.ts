import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { devstackAsync } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { helmMissing } from "../support/helm.js";

// Several commands on one machine share the user cache (chart copies,
// rendered templates, validated manifests, CRD schemas): each must come out
// whole and the same, however the runs interleave.
describeWithEngine("helm", helmMissing(), "renders and diffs at once on a cold cache", () => {
  const homes: string[] = [];
  afterAll(() => {
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });
  const fresh = () => {
    const home = mkdtempSync(join(tmpdir(), "devstack-concurrent-"));
    homes.push(home);
    return { DEVSTACK_HOME: home, DEVSTACK_OFFLINE: "1" };
  };

  it("ten concurrent renders all exit 0 with identical output", async () => {
    const env = fresh();
    const runs = await Promise.all(Array.from({ length: 10 }, () => devstackAsync(["render", "--profile", "local"], { env, timeoutMs: 240_000 })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
    expect(runs[0]?.stdout).toContain("kind: Deployment");
  }, 300_000);

  it("concurrent diffs and renders of both profiles agree", async () => {
    const env = fresh();
    const runs = await Promise.all([
      ...Array.from({ length: 3 }, () => devstackAsync(["diff", "local", "prod", "--strict", "--json"], { env, timeoutMs: 240_000 })),
      ...Array.from({ length: 3 }, () => devstackAsync(["render", "--profile", "prod"], { env, timeoutMs: 240_000 })),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const diffs = runs.slice(0, 3).map((r) => JSON.parse(r.stdout) as { manifests: unknown });
    expect(diffs[1]).toEqual(diffs[0]);
    expect(diffs[2]).toEqual(diffs[0]);
    expect(new Set(runs.slice(3).map((r) => r.stdout)).size).toBe(1);
  }, 300_000);
});
