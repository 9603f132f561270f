import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import { emptySnapshot } from "../secrets/store.js";
import type { SyncResult } from "../secrets/sync.js";
import { seen, unseen, willRun, stepOf, type StepRunner } from "./plan.js";
import { executePlatformSteps, planPlatform, type PlatformObserved } from "./platform.js";
import { planUp } from "./up.js";
import { planDeploy } from "./deploy.js";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");
const local = loadConfig({ cwd: HELLO, profile: "local" });
const prod = loadConfig({ cwd: HELLO, profile: "prod" });

const base: PlatformObserved = { target: seen("EKS"), secrets: seen({ missingGenerated: [], missingExternal: [] }), release: seen({ installed: true, hash: "a" }), wanted: { hash: "a" } };

describe("the platform flow", () => {
  it("has no local store delivery where the store is AWS Secrets Manager", () => {
    const plan = planPlatform(prod, base);
    expect(plan.steps.map((s) => s.id)).toEqual(["secrets.sync", "platform.operators", "platform.apply"]);
    expect(plan.flow).toBe("platform");
    expect(willRun(plan, "platform.apply")).toBe(false);
    expect(stepOf(plan, "nope")).toBeUndefined();
  });

  it("carries out an upgrade, and reports unchanged when nothing was to do", async () => {
    const calls: string[] = [];
    const run: StepRunner = (_t, work) => work();
    const ex = {
      syncSecrets: async () => ({ created: [], present: [], missingExternal: [], snapshot: emptySnapshot() }) as SyncResult,
      podIdentity: async () => void calls.push("pod"),
      platformPass: async (pass: "operators" | "full") => void calls.push(pass),
      deliverSecrets: async () => void calls.push("deliver"),
    };
    expect((await executePlatformSteps(prod, planPlatform(prod, { ...base, wanted: { hash: "b" } }), ex, run)).platform).toBe("upgraded");
    expect((await executePlatformSteps(prod, planPlatform(prod, base), ex, run)).platform).toBe("unchanged");
    expect(calls).toEqual(["full"]);
  });

  it("plans unknown steps without a cluster", () => {
    const plan = planPlatform(local, { ...base, target: unseen("down"), release: unseen("down") });
    expect(plan.target).toBe("unreachable");
    expect(plan.steps.filter((s) => s.decision === "unknown").map((s) => s.id)).toEqual(["platform.operators", "platform.apply"]);
  });
});

describe("the up flow's plan", () => {
  const containers = [
    { component: "registry", action: "reuse" as const, reason: "running with the same settings" },
    { component: "k3s", action: "create" as const, reason: "not there yet" },
  ];

  it("lists the containers, then k3s and the deploy flow's own steps", () => {
    const deploy = planDeploy(local, { ...base, target: seen("the local k3s"), secretsVersion: seen("v"), image: { kind: "source", repository: "r", tag: "t", digest: seen(null) }, releases: seen([]), git: { commit: null, dirty: false, by: "me" }, chart: { hash: "c", name: "webapp-0.1.0" }, now: "" });
    const plan = planUp(local, containers, deploy);
    expect(plan.steps.slice(0, 5).map((s) => [s.id, s.decision])).toEqual([
      ["container.registry", "skip"],
      ["container.k3s", "run"],
      ["k3s.ready", "run"],
      ["k3s.wire", "run"],
      ["tls.reissue", "unknown"],
    ]);
    expect(plan.steps.map((s) => s.id)).toContain("release.upgrade");
    expect(plan.target).toBe("the local k3s");
  });

  it("stops at the containers with --services-only", () => {
    const plan = planUp(local, containers, undefined);
    expect(plan.steps).toHaveLength(2);
    expect(plan.blockers).toEqual([]);
  });
});
