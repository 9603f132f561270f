import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import { DevstackError, UsageError } from "../errors.js";
import type { Release } from "../deploy/release-record.js";
import type { SmokeResult } from "../deploy/smoke.js";
import { seen, unseen, type StepRunner } from "./plan.js";
import { executeRollback, planRollback } from "./rollback.js";

const config = loadConfig({ cwd: join(import.meta.dirname, "..", "..", "examples", "hello"), profile: "local" });

const release = (revision: number, status: string, note?: string): Release => ({ revision, status, updated: "", chart: "webapp-0.1.0", record: undefined, note });
const history = [release(5, "deployed"), release(4, "superseded"), release(3, "superseded"), release(2, "failed")];

function fakes(answers: boolean[]) {
  const calls: string[] = [];
  const run: StepRunner = (_t, work) => work();
  return {
    calls,
    run,
    ex: {
      rollback: async (revision: number) => void calls.push(`rollback:${revision}`),
      smoke: async () => {
        calls.push("smoke");
        return (answers.shift() ? { ok: true, attempts: 1, ms: 3 } : { ok: false, attempts: 2, ms: 3, error: "502" }) as SmokeResult;
      },
    },
  };
}

describe("the rollback flow", () => {
  it("goes to the newest good revision older than what runs, and undoes itself if that one does not answer", () => {
    const plan = planRollback(config, { target: seen("the local k3s"), releases: seen(history) });
    expect(plan).toMatchObject({ to: 4, serving: 5, blockers: [] });
    expect(plan.steps.map((s) => [s.id, s.decision, s.onFailureOf])).toEqual([
      ["rollback.to", "run", undefined],
      ["rollback.smoke", "run", undefined],
      ["rollback.undo", "run", "rollback.smoke"],
    ]);
  });

  it("never goes back to the release a rollback just left", () => {
    const plan = planRollback(config, { target: seen("k3s"), releases: seen([release(6, "deployed", "Rollback to 4"), release(5, "superseded"), ...history.slice(1)]) });
    expect(plan.to).toBe(3);
  });

  it("takes --to, and refuses a revision that does not exist or a history with nothing earlier", async () => {
    expect(planRollback(config, { target: seen("k3s"), releases: seen(history) }, 3).to).toBe(3);
    const missing = planRollback(config, { target: seen("k3s"), releases: seen(history) }, 9);
    expect(missing.blockers).toEqual([{ message: "revision 9 does not exist", fix: "`devstack releases` lists them" }]);
    await expect(executeRollback(missing, fakes([]).ex, fakes([]).run)).rejects.toBeInstanceOf(UsageError);
    const none = planRollback(config, { target: seen("k3s"), releases: seen([release(1, "deployed")]) });
    expect(none.blockers[0]?.message).toBe("there is no earlier release to roll back to");
  });

  it("plans without a cluster, marking every step unknown, and will not carry that out", async () => {
    const plan = planRollback(config, { target: unseen("the local cluster of hello is not running", "start it with `devstack up`"), releases: unseen("the local cluster of hello is not running") });
    expect(plan.steps.every((s) => s.decision === "unknown")).toBe(true);
    expect(plan.unobserved).toEqual([{ what: "the cluster", why: "the local cluster of hello is not running", fix: "start it with `devstack up`" }]);
    await expect(executeRollback(plan, fakes([]).ex, fakes([]).run)).rejects.toBeInstanceOf(DevstackError);
  });

  it("carries out: rollback, smoke; on a failed check, back to what served", async () => {
    const plan = planRollback(config, { target: seen("k3s"), releases: seen(history) });
    const good = fakes([true]);
    expect(await executeRollback(plan, good.ex, good.run)).toMatchObject({ revision: 4, smoke: { ok: true } });
    expect(good.calls).toEqual(["rollback:4", "smoke"]);
    const bad = fakes([false]);
    await expect(executeRollback(plan, bad.ex, bad.run)).rejects.toThrow("revision 4 does not answer: 502; revision 5 serves again");
    expect(bad.calls).toEqual(["rollback:4", "smoke", "rollback:5"]);
  });

  it("has nothing to undo when no release was serving", async () => {
    const plan = planRollback(config, { target: seen("k3s"), releases: seen([release(3, "failed"), release(2, "superseded")]) }, 2);
    expect(plan.steps[2]).toMatchObject({ decision: "skip", reason: "no release is serving now" });
    const bad = fakes([false]);
    await expect(executeRollback(plan, bad.ex, bad.run)).rejects.toThrow(/revision \? serves again/);
    expect(bad.calls).toEqual(["rollback:2", "smoke"]);
  });
});
