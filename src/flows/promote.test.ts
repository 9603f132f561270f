import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import type { SmokeResult } from "../deploy/smoke.js";
import { emptySnapshot } from "../secrets/store.js";
import { secretsVersion, type SyncResult } from "../secrets/sync.js";
import type { DeployObserved } from "./deploy.js";
import { formatPlan, seen, unseen, type StepRunner } from "./plan.js";
import { executePromote, planPromote, promotedImage, type PromoteExecutors, type PromoteObserved } from "./promote.js";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");
const source = loadConfig({ cwd: HELLO, profile: "local" });
const target = loadConfig({ cwd: HELLO, profile: "prod" });
const DIGEST = "sha256:0123456789abcdef" + "0".repeat(48);
const ECR = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/hello";

function targetObserved(over: Partial<DeployObserved> = {}): DeployObserved {
  return {
    target: seen("EKS hello-prod (eu-central-1)"),
    secrets: seen({ missingGenerated: [], missingExternal: [] }),
    release: seen({ installed: true, hash: "h" }),
    wanted: { hash: "h" },
    secretsVersion: seen(secretsVersion(emptySnapshot())),
    image: { kind: "given", ref: { repository: ECR, tag: "promoted" } },
    releases: seen([]),
    git: { commit: null, dirty: false, by: "ci" },
    chart: { hash: "c", name: "webapp-0.1.0" },
    now: "2026-12-02T00:00:00.000Z",
    ...over,
  };
}

function observed(over: Partial<PromoteObserved> = {}): PromoteObserved {
  const from = { repository: "localhost:5001/hello", digest: DIGEST, revision: 7 };
  return { from: seen(from), target: targetObserved({ image: { kind: "given", ref: promotedImage(ECR, from) } }), changes: seen([{ resource: "Deployment/hello", change: "changed", fields: [] }]), configDifferences: 12, ...over };
}

describe("the promote flow", () => {
  it("names the image in the target's registry by the same digest", () => {
    expect(promotedImage(ECR, { repository: "localhost:5001/hello", digest: DIGEST })).toEqual({ repository: ECR, tag: "promoted-0123456789ab", digest: DIGEST });
    expect(promotedImage(ECR, { repository: ECR, digest: DIGEST })).toEqual({ repository: ECR, tag: "promoted", digest: DIGEST });
  });

  it("plans the copy across registries before the deploy, never a build", () => {
    const plan = planPromote(source, target, observed());
    const ids = plan.steps.map((s) => s.id);
    expect(ids).not.toContain("image.build");
    expect(ids.indexOf("image.copy")).toBeLessThan(ids.indexOf("release.upgrade"));
    expect(plan.steps.find((s) => s.id === "image.copy")).toMatchObject({ decision: "run", title: `image: copy localhost:5001/hello@${DIGEST} to ${ECR}:promoted-0123456789ab` });
    expect(plan).toMatchObject({ flow: "promote", source: "local", configDifferences: 12, image: `${ECR}@${DIGEST}` });
    expect(plan.record?.promotedFrom).toBe("local");
    expect(plan.changes).toHaveLength(1);
  });

  it("skips the copy when both profiles share a registry", () => {
    const from = { repository: ECR, digest: DIGEST, revision: 2 };
    const plan = planPromote(source, target, observed({ from: seen(from), target: targetObserved({ image: { kind: "given", ref: promotedImage(ECR, from) } }) }));
    expect(plan.steps.find((s) => s.id === "image.copy")?.decision).toBe("skip");
  });

  it("still plans without the source cluster or credentials, marking what depends on them", () => {
    const plan = planPromote(source, target, observed({ from: unseen("the local cluster of hello is not running"), changes: unseen("no credentials"), target: targetObserved({ target: unseen("no credentials"), release: unseen("no credentials"), releases: unseen("no credentials") }) }));
    expect(plan.steps.find((s) => s.id === "image.copy")?.decision).toBe("unknown");
    expect(plan.steps.find((s) => s.id === "release.upgrade")?.decision).toBe("unknown");
    expect(plan.from).toBeNull();
    expect(plan.record).toBeNull();
    expect(plan.unobserved[0]).toEqual({ what: "the image running in local", why: "the local cluster of hello is not running" });
    expect(formatPlan(plan)[0]).toBe("plan: promote hello to prod (unreachable)");
  });

  it("copies, then deploys exactly the copied digest", async () => {
    const calls: string[] = [];
    const run: StepRunner = (_t, work) => work();
    const ok = { ok: true, attempts: 1, ms: 1 } as SmokeResult;
    const ex: PromoteExecutors = {
      copy: async (from, to) => {
        calls.push(`copy:${from.digest}->${to.repository}:${to.tag}`);
        return { ...to, digest: DIGEST };
      },
      syncSecrets: async () => ({ created: [], present: [], missingExternal: [], snapshot: emptySnapshot() }) as SyncResult,
      podIdentity: async () => undefined,
      platformPass: async () => undefined,
      deliverSecrets: async () => undefined,
      build: async () => void calls.push("build"),
      push: async () => ({ repository: "x", tag: "y" }),
      tools: async () => undefined,
      upgrade: async (_v, record) => void calls.push(`upgrade:${record.digest}:${record.promotedFrom}`),
      releases: async () => [],
      smoke: async () => ok,
      diagnose: async () => "",
      rollback: async () => undefined,
      mark: async () => void calls.push("mark"),
    };
    const o = observed();
    const result = await executePromote(target, planPromote(source, target, o), o, ex, run);
    expect(calls).toEqual([`copy:${DIGEST}->${ECR}:promoted-0123456789ab`, `upgrade:${DIGEST}:local`, "mark"]);
    expect(result.image).toBe(`${ECR}@${DIGEST}`);
  });

  it("copies every component's digest and deploys them together", async () => {
    const WORKER = "sha256:fedcba9876543210" + "1".repeat(48);
    const from = { repository: "localhost:5001/shop", digest: DIGEST, revision: 3, components: { worker: WORKER } };
    const o = observed({ from: seen(from), target: targetObserved({ image: { kind: "given", ref: promotedImage(ECR, from) }, others: { worker: { kind: "given", ref: promotedImage(ECR, { repository: from.repository, digest: WORKER }) } } }) });
    const plan = planPromote(source, target, o);
    expect(plan.steps.filter((s) => s.id.startsWith("image.copy")).map((s) => [s.id, s.decision])).toEqual([
      ["image.copy", "run"],
      ["image.copy:worker", "run"],
    ]);
    expect(plan.record?.components).toEqual({ worker: WORKER });
    const copied: string[] = [];
    const upgrades: (string | undefined)[] = [];
    const run: StepRunner = (_t, work) => work();
    const ok = { ok: true, attempts: 1, ms: 1 } as SmokeResult;
    const ex: PromoteExecutors = {
      copy: async (f, to) => {
        copied.push(`${f.digest.slice(7, 11)}->${to.tag}`);
        return to;
      },
      syncSecrets: async () => ({ created: [], present: [], missingExternal: [], snapshot: emptySnapshot() }) as SyncResult,
      podIdentity: async () => undefined,
      platformPass: async () => undefined,
      deliverSecrets: async () => undefined,
      build: async () => undefined,
      push: async () => ({ repository: "x", tag: "y" }),
      tools: async () => undefined,
      upgrade: async (_v, record) => void upgrades.push(record.components?.worker),
      releases: async () => [],
      smoke: async () => ok,
      diagnose: async () => "",
      rollback: async () => undefined,
      mark: async () => undefined,
    };
    await executePromote(target, plan, o, ex, run);
    expect(copied).toEqual(["0123->promoted-0123456789ab", "fedc->promoted-fedcba987654"]);
    expect(upgrades).toEqual([WORKER]);
  });
});
