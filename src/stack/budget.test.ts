import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { budgetValues, mebibytes, PLATFORM_BUDGET } from "../charts/platform-budget.js";
import { loadConfig } from "../config/resolve.js";
import { localBudget } from "./budget.js";
import { stackSpec } from "./components.js";

const hello = loadConfig({ cwd: join(import.meta.dirname, "..", "..", "examples", "hello"), profile: "local" });

describe("the laptop budget", () => {
  it("gives every platform container requests and a memory limit above them", () => {
    for (const b of PLATFORM_BUDGET) {
      expect(b.resources.requests.cpu, b.container).toMatch(/^[0-9]+m$/);
      expect(mebibytes(b.resources.limits.memory), b.container).toBeGreaterThan(mebibytes(b.resources.requests.memory));
    }
    expect(budgetValues()["cert-manager"]).toMatchObject({ resources: {}, webhook: { resources: {} }, cainjector: { resources: {} }, startupapicheck: { resources: {} } });
  });

  it("keeps the whole local stack of examples/hello within 2 GiB", () => {
    const components = stackSpec(hello, { cluster: true }).containers.map((c) => c.component);
    const budget = localBudget(hello, components);
    expect(budget.lines.map((l) => l.what)).toEqual(expect.arrayContaining(["container: k3s", "container: postgres", "k3s: traefik/traefik", "platform: loki/loki", "app: hello × 1"]));
    expect(budget.totalMi).toBeLessThanOrEqual(budget.goalMi);
    // The one-shot startup check of cert-manager does not hold memory while the stack runs.
    expect(budget.lines.some((l) => l.what.includes("startupapicheck"))).toBe(false);
  });

  it("counts only the containers without a cluster", () => {
    const budget = localBudget(hello, ["postgres", "smtp"]);
    expect(budget.lines).toEqual([{ what: "container: postgres", mi: 96 }, { what: "container: smtp", mi: 64 }]);
  });

  it("reads Kubernetes memory quantities", () => {
    expect(mebibytes("1Gi")).toBe(1024);
    expect(mebibytes("128Mi")).toBe(128);
    expect(Math.round(mebibytes("100M"))).toBe(95);
    expect(() => mebibytes("lots")).toThrow(/not a memory quantity/);
  });
});
