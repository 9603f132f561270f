import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parse } from "yaml";
import { devstack, ROOT } from "../support/cli.js";

it("init --ci github in a Go service writes a workflow whose test job runs go test ./... with the Go toolchain", () => {
  const dir = mkdtempSync(join(tmpdir(), "devstack-init-go-"));
  try {
    cpSync(join(ROOT, "test", "fixtures", "init", "go-service", "app"), dir, { recursive: true });
    const r = devstack(["init", "--ci", "github"], { cwd: dir, env: { DEVSTACK_HOME: join(dir, ".home") } });
    expect(r.code, r.stderr).toBe(0);
    const workflow = parse(readFileSync(join(dir, ".github", "workflows", "devstack.yml"), "utf8")) as { jobs: { test: { steps: { uses?: string; run?: string }[] } } };
    const steps = workflow.jobs.test.steps;
    expect(steps.some((s) => s.uses?.startsWith("actions/setup-go@"))).toBe(true);
    expect(steps.some((s) => s.run?.includes("go test ./..."))).toBe(true);
    expect(steps.some((s) => s.run === "npm test")).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
