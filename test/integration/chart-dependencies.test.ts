import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { parse } from "yaml";
import { prepareChart } from "../../src/charts/dependencies.js";
import { helm } from "../../src/charts/helm.js";
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

describeWithEngine("helm", helmMissing(), "chart packages from a local directory (DEVSTACK_PLATFORM_CHARTS)", () => {
  const home = mkdtempSync(join(tmpdir(), "devstack-pkgs-"));
  const saved = { home: process.env.DEVSTACK_HOME, packages: process.env.DEVSTACK_PLATFORM_CHARTS };
  afterAll(() => {
    for (const [key, value] of [["DEVSTACK_HOME", saved.home], ["DEVSTACK_PLATFORM_CHARTS", saved.packages]] as const) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
    rmSync(home, { recursive: true, force: true });
  });

  /** A chart package as `helm package` writes it. */
  async function makePackage(dir: string, name: string, version: string, fileVersion = version): Promise<void> {
    const src = join(home, "src", `${name}-${version}`);
    mkdirSync(join(src, "templates"), { recursive: true });
    writeFileSync(join(src, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
    writeFileSync(join(src, "templates", "cm.yaml"), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`);
    const packaged = await helm(["package", src, "--destination", dir]);
    expect(packaged.exitCode, packaged.stderr).toBe(0);
    if (fileVersion !== version) renameSync(join(dir, `${name}-${version}.tgz`), join(dir, `${name}-${fileVersion}.tgz`));
  }

  it("vendors the packages it finds, and names each one it cannot use", async () => {
    process.env.DEVSTACK_HOME = home;
    const packages = join(home, "packages");
    mkdirSync(packages, { recursive: true });
    const chart = join(home, "umbrella");
    mkdirSync(join(chart, "templates"), { recursive: true });
    const deps = [
      { name: "first", version: "1.0.0", repository: "https://charts.invalid" },
      { name: "second", version: "2.0.0", repository: "https://charts.invalid" },
      { name: "third", version: "3.0.0", repository: "https://charts.invalid" },
    ];
    writeFileSync(join(chart, "Chart.yaml"), JSON.stringify({ apiVersion: "v2", name: "umbrella", version: "0.1.0", dependencies: deps }));
    await makePackage(packages, "first", "1.0.0");
    // A file named for 2.0.0 that holds 1.9.0: refused, not rendered as if it were the pinned version.
    await makePackage(packages, "second", "1.9.0", "2.0.0");
    process.env.DEVSTACK_PLATFORM_CHARTS = packages;
    const prepared = await prepareChart(chart);
    expect(prepared.skipped).toEqual(["second 2.0.0", "third 3.0.0"]);
    expect(prepared.reason).toContain("holds second 1.9.0, not second 2.0.0");
    expect(prepared.reason).toContain(`third-3.0.0.tgz is not in DEVSTACK_PLATFORM_CHARTS=${packages}`);
    const rendered = await helm(["template", "u", prepared.dir]);
    expect(rendered.exitCode, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain("name: first");
    expect(rendered.stdout).not.toContain("name: second");

    await makePackage(packages, "second", "2.0.0");
    await makePackage(packages, "third", "3.0.0");
    const whole = await prepareChart(chart);
    expect(whole.skipped).toEqual([]);
    expect((await helm(["template", "u", whole.dir])).stdout).toMatch(/name: third/);
  });
});
