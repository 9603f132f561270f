import { expect, it } from "vitest";
import { devstack } from "../support/cli.js";

it("jobs run names every runnable job, scheduled exports included, when the name is unknown", () => {
  const r = devstack(["jobs", "run", "nope"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("no job named nope in devstack.yaml");
  expect(r.stderr).toContain("declared: cleanup, export-visits");
});
