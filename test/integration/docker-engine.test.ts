import { expect, it } from "vitest";
import { dockerClient, probeEngine } from "../../src/stack/docker-engine.js";
import { devstack } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";

const engine = await probeEngine();

describeWithEngine("Docker engine", engine.reachable ? undefined : `${engine.endpoint}: ${engine.error}`, "doctor against a real Docker engine", () => {
  it("reports the engine's version as the engine itself does", async () => {
    const docker = await dockerClient();
    const version = await docker.version();
    const r = devstack(["doctor", "--json"]);
    const check = (JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks.find((c) => c.id === "docker");
    expect(check?.status).toBe("ok");
    expect(check?.detail).toContain(`Docker Engine ${version.Version} (API ${version.ApiVersion}`);
  });

  it("prints a readable report with a mark per check", () => {
    const r = devstack(["doctor"]);
    expect(r.stdout).toMatch(/^✓ Docker engine: Docker Engine /m);
    expect(r.stdout).toMatch(/^[✓!✗-] file watching: /m);
  });
});
