import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, resolveTexts } from "../config/resolve.js";
import { DevstackError } from "../errors.js";
import type { Release, ReleaseRecord } from "../deploy/release-record.js";
import type { SmokeResult } from "../deploy/smoke.js";
import { emptySnapshot, type Snapshot } from "../secrets/store.js";
import { secretsVersion, type SyncResult } from "../secrets/sync.js";
import { executeDeploy, planDeploy, releaseRecord, type DeployExecutors, type DeployObserved } from "./deploy.js";
import { formatPlan, seen, unseen, type StepRunner } from "./plan.js";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");
const local = loadConfig({ cwd: HELLO, profile: "local" });
const prod = loadConfig({ cwd: HELLO, profile: "prod" });

const snapshot: Snapshot = (() => {
  const s = emptySnapshot();
  s.app.SESSION_KEY = { value: "v", updatedAt: "2026-01-01T00:00:00.000Z" };
  return s;
})();
const VERSION = secretsVersion(snapshot);
const DIGEST = "sha256:" + "a".repeat(64);

function observed(over: Partial<DeployObserved> = {}): DeployObserved {
  return {
    target: seen("the local k3s"),
    secrets: seen({ missingGenerated: [], missingExternal: [] }),
    release: seen({ installed: true, hash: "h1" }),
    wanted: { hash: "h1" },
    secretsVersion: seen(VERSION),
    image: { kind: "source", repository: "localhost:5001/hello", tag: "src-1", digest: seen(DIGEST) },
    releases: seen([]),
    git: { commit: "c0ffee", dirty: false, by: "dev@example.com" },
    chart: { hash: "chart-hash", name: "webapp-0.1.0" },
    now: "2026-12-02T00:00:00.000Z",
    ...over,
  };
}

/** A release that runs exactly what `observed()` would deploy. */
function running(revision = 3, over: Partial<DeployObserved> = {}): Release {
  const { record } = releaseRecord(local, { repository: "localhost:5001/hello", tag: "src-1", digest: DIGEST }, VERSION, observed(over), {});
  return { revision, status: "deployed", updated: "", chart: "webapp-0.1.0", record, note: undefined };
}

const decisions = (plan: ReturnType<typeof planDeploy>) => Object.fromEntries(plan.steps.map((s) => [s.id, s.decision]));

describe("planning a deploy", () => {
  it("skips the build when the registry has the sources' tag, and the upgrade when the release runs these values", () => {
    const plan = planDeploy(local, observed({ releases: seen([running()]) }));
    expect(decisions(plan)).toMatchObject({ "image.build": "skip", "image.push": "skip", "platform.apply": "skip", "platform.operators": "skip", "release.upgrade": "skip", "release.smoke": "run" });
    expect(plan.steps.find((s) => s.id === "release.upgrade")?.reason).toBe("values and image unchanged: revision 3 runs them");
    // Nothing changes, so there is nothing to roll back.
    expect(plan.steps.some((s) => s.id === "release.rollback")).toBe(false);
    expect(plan.record?.digest).toBe(DIGEST);
  });

  it("builds and pushes when the registry lacks the sources' tag, and then always upgrades", () => {
    const plan = planDeploy(local, observed({ image: { kind: "source", repository: "localhost:5001/hello", tag: "src-2", digest: seen(null) }, releases: seen([running()]) }));
    expect(decisions(plan)).toMatchObject({ "image.build": "run", "image.push": "run", "release.upgrade": "run" });
    expect(plan.steps.find((s) => s.id === "release.upgrade")?.reason).toBe("a new image");
    expect(plan.rollbackTo).toBe(3);
    expect(plan.steps.find((s) => s.id === "release.rollback")).toMatchObject({ decision: "run", onFailureOf: "release.smoke", title: "rollback: to revision 3" });
  });

  it("upgrades when the values changed, and when new secret values are made", () => {
    const changed = planDeploy(local, observed({ releases: seen([running(3, { chart: { hash: "other", name: "webapp-0.1.0" } })]) }));
    expect(changed.steps.find((s) => s.id === "release.upgrade")).toMatchObject({ decision: "run", reason: "values or image changed" });
    const secrets = planDeploy(local, observed({ secrets: seen({ missingGenerated: ["SESSION_KEY"], missingExternal: [] }), releases: seen([running()]) }));
    expect(secrets.steps.find((s) => s.id === "secrets.sync")).toMatchObject({ decision: "run", reason: "creates SESSION_KEY" });
    expect(secrets.steps.find((s) => s.id === "release.upgrade")).toMatchObject({ decision: "run", reason: "new secret values" });
  });

  it("installs the platform in two passes the first time, with the store delivered between them", () => {
    const plan = planDeploy(local, observed({ release: seen({ installed: false, hash: undefined }) }));
    const ids = plan.steps.map((s) => s.id);
    expect(ids.indexOf("platform.operators")).toBeLessThan(ids.indexOf("secrets.deliver"));
    expect(ids.indexOf("secrets.deliver")).toBeLessThan(ids.indexOf("platform.apply"));
    expect(decisions(plan)).toMatchObject({ "platform.operators": "run", "platform.apply": "run" });
    expect(plan.steps.find((s) => s.id === "platform.apply")?.title).toBe("platform chart: install");
    expect(plan.steps.find((s) => s.id === "release.upgrade")?.reason).toBe("first release");
    expect(plan.steps.find((s) => s.id === "release.rollback")).toMatchObject({ decision: "skip", reason: "first release: nothing to roll back to" });
  });

  it("upgrades the platform alone when its values' hash differs", () => {
    const plan = planDeploy(local, observed({ wanted: { hash: "h2" } }));
    expect(decisions(plan)).toMatchObject({ "platform.operators": "skip", "platform.apply": "run" });
    expect(plan.steps.find((s) => s.id === "platform.apply")).toMatchObject({ title: "platform chart: upgrade", reason: "values changed" });
  });

  it("marks what it could not observe as unknown, and still plans the rest", () => {
    const why = "the local cluster of hello is not running";
    const plan = planDeploy(local, observed({ target: unseen(why, "start it with `devstack up`"), release: unseen(why), releases: unseen(why), image: { kind: "source", repository: "localhost:5001/hello", tag: "src-1", digest: unseen("the local registry does not answer") } }));
    expect(decisions(plan)).toMatchObject({ "platform.operators": "unknown", "platform.apply": "unknown", "image.build": "unknown", "release.upgrade": "unknown", "release.rollback": "unknown", "secrets.sync": "skip" });
    expect(plan.target).toBe("unreachable");
    expect(plan.unobserved.map((u) => u.what)).toEqual(["the cluster", "the platform release", "the registry"]);
    expect(plan.unobserved[0]?.fix).toBe("start it with `devstack up`");
    expect(formatPlan(plan).join("\n")).toContain("?     deploy: helm upgrade --install hello");
  });

  it("plans with a secret store it cannot read", () => {
    const plan = planDeploy(prod, observed({ secrets: unseen("no credentials"), secretsVersion: unseen("no credentials"), releases: seen([running()]) }));
    expect(decisions(plan)).toMatchObject({ "secrets.sync": "unknown", "release.upgrade": "unknown" });
    expect(plan.unobserved).toContainEqual({ what: "the secret store", why: "no credentials" });
  });

  it("blocks on missing external secrets and on platform charts it cannot fetch, naming the fixes", () => {
    const plan = planDeploy(local, observed({ secrets: seen({ missingGenerated: [], missingExternal: ["STRIPE_API_KEY"] }), wanted: { hash: "h2", chartsMissing: "offline" } }));
    expect(plan.blockers).toEqual([
      { message: "external secret missing in profile local: STRIPE_API_KEY", fix: "devstack secrets set STRIPE_API_KEY --profile local < value.txt" },
      expect.objectContaining({ message: "the platform chart's dependencies cannot be fetched: offline" }),
    ]);
    expect(formatPlan(plan).join("\n")).toContain("blocked: external secret missing");
    // Nothing to install: the charts are not needed.
    expect(planDeploy(local, observed({ wanted: { hash: "h1", chartsMissing: "offline" } })).blockers).toEqual([]);
  });

  it("deploys a given image (promote) without building", () => {
    const plan = planDeploy(prod, observed({ image: { kind: "given", ref: { repository: "ecr/hello", tag: "promoted-aaaa", digest: DIGEST } } }), { promotedFrom: "staging" });
    expect(plan.flow).toBe("promote");
    expect(decisions(plan)).toMatchObject({ "image.build": "skip", "image.push": "skip" });
    expect(plan.record?.promotedFrom).toBe("staging");
    expect(plan.image).toBe(`ecr/hello@${DIGEST}`);
  });

  it("plans Pod Identity where the profile asks for it, and the export image where exports are scheduled", () => {
    const pod = { ...prod, profile: { ...prod.profile, secretStore: { ...prod.profile.secretStore, identity: "pod-identity", roleArn: "arn:aws:iam::1:role/eso" } } } as typeof prod;
    const plan = planDeploy(pod, observed({ tools: { ref: { repository: "r", tag: "devstack-1" }, present: seen(false) } }));
    expect(decisions(plan)).toMatchObject({ "secrets.pod-identity": "run", "image.tools": "run" });
    expect(planDeploy(local, observed({ tools: { ref: { repository: "r", tag: "t" }, present: seen(true) } })).steps.find((s) => s.id === "image.tools")?.decision).toBe("skip");
    expect(planDeploy(local, observed({ tools: { ref: { repository: "r", tag: "t" }, present: unseen("x") } })).steps.find((s) => s.id === "image.tools")?.decision).toBe("unknown");
  });
});

/** Executors that record each call; the smoke check answers as told. */
function fakes(options: { smoke?: boolean[]; created?: string[]; missingExternal?: string[]; after?: Release[] } = {}) {
  const calls: string[] = [];
  const answers = [...(options.smoke ?? [true])];
  const ok: SmokeResult = { ok: true, status: 200, attempts: 1, ms: 5 } as SmokeResult;
  const ex: DeployExecutors = {
    syncSecrets: async () => {
      calls.push("sync");
      return { created: options.created ?? [], present: [], missingExternal: options.missingExternal ?? [], snapshot } as SyncResult;
    },
    podIdentity: async () => void calls.push("pod-identity"),
    platformPass: async (pass) => void calls.push(`platform:${pass}`),
    deliverSecrets: async () => void calls.push("deliver"),
    build: async () => void calls.push("build"),
    push: async () => {
      calls.push("push");
      return { repository: "localhost:5001/hello", tag: "src-2", digest: "sha256:" + "b".repeat(64) };
    },
    tools: async () => void calls.push("tools"),
    upgrade: async (_values: unknown, record: ReleaseRecord) => void calls.push(`upgrade:${record.digest}`),
    releases: async () => {
      calls.push("releases");
      return options.after ?? [{ ...running(4), status: "deployed" }, { ...running(3), status: "superseded" }];
    },
    smoke: async () => {
      calls.push("smoke");
      return answers.shift() === false ? ({ ok: false, attempts: 3, ms: 9, error: "503" } as SmokeResult) : ok;
    },
    diagnose: async () => {
      calls.push("diagnose");
      return "pod hello-1: CrashLoopBackOff";
    },
    rollback: async (revision) => void calls.push(`rollback:${revision}`),
    mark: async () => void calls.push("mark"),
  };
  const titles: string[] = [];
  const run: StepRunner = async (title, work) => {
    titles.push(title);
    return work();
  };
  return { ex, calls, run, titles };
}

describe("carrying out a deploy plan", () => {
  it("runs each planned step once, in order: sync, platform, build, push, upgrade, smoke, mark", async () => {
    const o = observed({ image: { kind: "source", repository: "localhost:5001/hello", tag: "src-2", digest: seen(null) }, releases: seen([running()]) });
    const { ex, calls, run } = fakes();
    const result = await executeDeploy(local, planDeploy(local, o), o, ex, run);
    expect(calls).toEqual(["sync", "deliver", "build", "push", `upgrade:sha256:${"b".repeat(64)}`, "releases", "smoke", "mark"]);
    expect(result).toMatchObject({ revision: 4, skipped: false, platform: "unchanged", image: `localhost:5001/hello@sha256:${"b".repeat(64)}` });
    expect(result.skippedSteps).toContain("platform chart (values unchanged)");
  });

  it("installs the platform in two passes on a first deploy", async () => {
    const o = observed({ release: seen({ installed: false, hash: undefined }) });
    const { ex, calls, run } = fakes({ after: [running(1)] });
    const result = await executeDeploy(local, planDeploy(local, o), o, ex, run);
    expect(calls.slice(0, 4)).toEqual(["sync", "platform:operators", "deliver", "platform:full"]);
    expect(result.platform).toBe("installed");
  });

  it("only smoke-checks when the release already runs these values", async () => {
    const o = observed({ releases: seen([running()]) });
    const { ex, calls, run } = fakes();
    const result = await executeDeploy(local, planDeploy(local, o), o, ex, run);
    expect(calls).toEqual(["sync", "deliver", "smoke"]);
    expect(result).toMatchObject({ skipped: true, revision: 3 });
    const failing = fakes({ smoke: [false] });
    await expect(executeDeploy(local, planDeploy(local, o), o, failing.ex, failing.run)).rejects.toThrow(/does not answer: 503/);
    expect(failing.calls).not.toContain("rollback:3");
  });

  it("rolls back to the revision that served before when the smoke check fails, and says why", async () => {
    const o = observed({ image: { kind: "source", repository: "localhost:5001/hello", tag: "src-2", digest: seen(null) }, releases: seen([running()]) });
    const { ex, calls, run } = fakes({ smoke: [false] });
    const error = (await executeDeploy(local, planDeploy(local, o), o, ex, run).catch((e: unknown) => e)) as DevstackError;
    expect(error).toBeInstanceOf(DevstackError);
    expect(error.message).toMatch(/did not answer 2xx \(503, 3 attempts\); rolled back to revision 3, which keeps serving\npod hello-1: CrashLoopBackOff/);
    expect(calls.slice(-3)).toEqual(["smoke", "diagnose", "rollback:3"]);
    expect(calls).not.toContain("mark");
  });

  it("has nothing to roll back to after a failed first release", async () => {
    const o = observed();
    const { ex, calls, run } = fakes({ smoke: [false], after: [{ ...running(1), status: "deployed" }] });
    await expect(executeDeploy(local, planDeploy(local, o), o, ex, run)).rejects.toThrow(/this was the first release, nothing to roll back to/);
    expect(calls.some((c) => c.startsWith("rollback"))).toBe(false);
  });

  it("stops before any change when a required external secret is missing", async () => {
    const o = observed({ secrets: seen({ missingGenerated: [], missingExternal: ["STRIPE_API_KEY"] }) });
    const { ex, calls, run } = fakes({ missingExternal: ["STRIPE_API_KEY"] });
    await expect(executeDeploy(local, planDeploy(local, o), o, ex, run)).rejects.toThrow(/external secret missing in profile local: STRIPE_API_KEY/);
    expect(calls).toEqual(["sync"]);
  });

  it("stops before the platform when its charts cannot be fetched", async () => {
    const o = observed({ wanted: { hash: "h2", chartsMissing: "offline" } });
    const { ex, calls, run } = fakes();
    await expect(executeDeploy(local, planDeploy(local, o), o, ex, run)).rejects.toThrow(/cannot be fetched: offline/);
    expect(calls).toEqual(["sync"]);
  });

  it("refuses to carry out a plan with unknown decisions", async () => {
    const o = observed({ releases: unseen("no cluster") });
    const { ex, calls, run } = fakes();
    await expect(executeDeploy(local, planDeploy(local, o), o, ex, run)).rejects.toThrow(/cannot be planned: the app's releases: no cluster/);
    expect(calls).toEqual([]);
  });

  it("builds the export image when the plan says so, and runs Pod Identity before the platform", async () => {
    const pod = { ...prod, profile: { ...prod.profile, secretStore: { ...prod.profile.secretStore, identity: "pod-identity", roleArn: "arn:aws:iam::1:role/eso" } } } as typeof prod;
    const o = observed({ tools: { ref: { repository: "r", tag: "t" }, present: seen(false) }, wanted: { hash: "h2" } });
    const { ex, calls, run } = fakes();
    await executeDeploy(pod, planDeploy(pod, o), o, ex, run);
    expect(calls.slice(0, 3)).toEqual(["sync", "pod-identity", "platform:full"]);
    expect(calls).toContain("tools");
  });
});

describe("a product of several components", () => {
  const shop = { projectDir: HELLO, files: { app: "devstack.yaml", profile: "profiles/local.yaml" }, profileSource: "project", ...resolveTexts(
    {
      file: "devstack.yaml",
      text: "name: shop\ncomponents:\n  web:\n    build: {context: web}\n    port: 3000\n    routes: [{path: /}]\n    readiness: {http: /healthz}\n  api:\n    build: {context: api}\n    port: 4000\n    routes: [{path: /api}]\n    readiness: {http: /api/healthz}\n  worker:\n    image: api\n    command: [node, worker.js]\n",
    },
    { file: "profiles/local.yaml", text: "cluster:\n  type: k3s\ndomain: localhost\n" },
    "local",
  ) } as typeof local;
  const source = (tag: string, digest: string | null) => ({ kind: "source" as const, repository: "localhost:5001/shop", tag, digest: seen(digest) });

  it("builds only the images whose sources changed, each under its own step", () => {
    const plan = planDeploy(shop, observed({ image: source("src-web", DIGEST), others: { api: source("src-api", null) } }));
    expect(decisions(plan)).toMatchObject({ "image.build": "skip", "image.build:api": "run", "image.push:api": "run", "release.upgrade": "run" });
    expect(plan.steps.find((s) => s.id === "release.smoke")?.title).toBe("smoke: https://shop.localhost/healthz, https://shop.localhost/api/healthz");
  });

  it("records each component's digest, and skips the upgrade when every image and value is unchanged", async () => {
    const API = "sha256:" + "c".repeat(64);
    const o = observed({ image: source("src-web", DIGEST), others: { api: source("src-api", API) } });
    const first = planDeploy(shop, o);
    expect(first.record?.components).toEqual({ api: API });
    const release: Release = { revision: 2, status: "deployed", updated: "", chart: "webapp-0.1.0", record: first.record as ReleaseRecord, note: undefined };
    expect(planDeploy(shop, { ...o, releases: seen([release]) }).steps.find((s) => s.id === "release.upgrade")?.decision).toBe("skip");
    const built = observed({ image: source("src-web", DIGEST), others: { api: source("src-api", null) } });
    const { ex, calls, run } = fakes();
    const buildCalls: (string | undefined)[] = [];
    ex.build = async (component) => void buildCalls.push(component);
    await executeDeploy(shop, planDeploy(shop, built), built, ex, run);
    expect(buildCalls).toEqual(["api"]);
    expect(calls.filter((c) => c.startsWith("push"))).toEqual(["push"]);
  });
});
