import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { resolveHelm } from "../../src/charts/helm-binary.js";
import { devstack, ROOT } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { helmMissing } from "../support/helm.js";

describeWithEngine("helm", helmMissing(), "rendering unchanged charts again", () => {
  const home = mkdtempSync(join(tmpdir(), "devstack-tcache-"));
  const log = join(home, "helm.log");
  let env: NodeJS.ProcessEnv = {};
  const templates = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l.startsWith("template ")) : []);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  beforeAll(async () => {
    // A helm that records each call, then runs the real one.
    const wrapper = join(home, "helm");
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${(await resolveHelm()).path}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    env = { DEVSTACK_HOME: home, DEVSTACK_HELM: wrapper, DEVSTACK_OFFLINE: "1", DEVSTACK_PLATFORM_CHARTS: undefined };
  });

  it("runs helm template once for the same chart, values and flags, and again when any of them changes", () => {
    const first = devstack(["render", "--profile", "local", "--json"], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(templates()).toHaveLength(2);
    const again = devstack(["render", "--profile", "local", "--json"], { env });
    const resources = (r: { stdout: string }) => (JSON.parse(r.stdout) as { releases: { resources: unknown[] }[] }).releases.map((x) => x.resources);
    expect(resources(again)).toEqual(resources(first));
    expect(templates()).toHaveLength(2);
    // Other values (another profile) are another render.
    expect(devstack(["render", "--profile", "prod", "--json"], { env }).code).toBe(0);
    expect(templates()).toHaveLength(4);
  });

  it("never keeps a render whose chart makes up a credential", () => {
    const own = join(ROOT, "test", "fixtures", "own-chart");
    const before = templates().length;
    expect(devstack(["render", "--profile", "local"], { cwd: own, env }).code).toBe(0);
    expect(devstack(["render", "--profile", "local"], { cwd: own, env }).code).toBe(0);
    // The own chart's Secret has data: both renders ran helm for it (the platform's came from the cache).
    expect(templates().slice(before).filter((l) => l.includes("fixtures/own-chart/chart"))).toHaveLength(2);
  });
});
