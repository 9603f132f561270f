import { expect, it } from "vitest";
import { devstack } from "../support/cli.js";

it("jobs run names every runnable job, scheduled exports included, when the name is unknown", () => {
  const r = devstack(["jobs", "run", "nope"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("no job named nope in devstack.yaml");
  expect(r.stderr).toContain("declared: cleanup, export-visits");
});

it("jobs ls --component names the components whose images jobs run, before reaching any cluster", () => {
  const r = devstack(["jobs", "ls", "--component", "web"], { cwd: `${import.meta.dirname}/../../examples/shop` });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("no cron job runs the image of web");
  expect(r.stderr).toContain("jobs run the images of: api, exports");
});
