import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { parse } from "yaml";
import { prepareChart } from "../../src/charts/dependencies.js";
import { ROOT } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { helmMissing } from "../support/helm.js";
import { freePort } from "../support/ports.js";

describeWithEngine("helm", helmMissing(), "vendoring chart dependencies", () => {
  const home = mkdtempSync(join(tmpdir(), "devstack-deps-"));
  const chart = join(home, "platform");
  const saved = process.env.DEVSTACK_HOME;
  afterAll(() => {
    if (saved === undefined) delete process.env.DEVSTACK_HOME;
    else process.env.DEVSTACK_HOME = saved;
    rmSync(home, { recursive: true, force: true });
  });

  it("falls back to the chart's own templates when a repository is unreachable, and says why", async () => {
    process.env.DEVSTACK_HOME = home;
    cpSync(join(ROOT, "charts", "platform"), chart, { recursive: true });
    // A repository on a loopback port nothing listens on: helm is refused at once.
    const port = await freePort();
    const meta = parse(readFileSync(join(chart, "Chart.yaml"), "utf8")) as { dependencies: { repository: string }[] };
    meta.dependencies = meta.dependencies.slice(0, 1).map((d) => ({ ...d, repository: `http://127.0.0.1:${port}/charts` }));
    writeFileSync(join(chart, "Chart.yaml"), JSON.stringify(meta));
    const prepared = await prepareChart(chart);
    expect(prepared.skipped).toEqual(["cert-manager v1.21.1"]);
    expect(prepared.reason).toMatch(/127\.0\.0\.1/);
    expect((parse(readFileSync(join(prepared.dir, "Chart.yaml"), "utf8")) as { dependencies?: unknown }).dependencies).toBeUndefined();
    // The failure is remembered: the next call does not wait on the network again.
    const again = await prepareChart(chart);
    expect(again.reason).toBe(prepared.reason);
  });
});
