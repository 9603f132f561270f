import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { schema as deploySchema } from "../../src/cli/results/deploy.js";
import { schema as platformSchema } from "../../src/cli/results/platform.js";
import { schema as promoteSchema } from "../../src/cli/results/promote.js";
import { schema as rollbackSchema } from "../../src/cli/results/rollback.js";
import { schema as upSchema } from "../../src/cli/results/up.js";
import { devstack, HELLO } from "../support/cli.js";

// A machine with nothing: no Docker engine, no local cluster, no AWS
// credentials, no network for chart repositories. Every flow still plans.
const nothing: NodeJS.ProcessEnv = {
  DOCKER_HOST: "unix:///nonexistent/docker.sock",
  DEVSTACK_OFFLINE: "1",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_CONFIG_FILE: "/nonexistent/aws-config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
};

interface PlanLike {
  flow: string;
  steps: { id: string; decision: string; reason?: string }[];
  unobserved: { what: string; why: string }[];
  blockers: { message: string }[];
}

function dryRun(args: string[], schema: z.ZodType): { plan: PlanLike; lines: string[] } {
  const r = devstack([...args, "--dry-run", "--json"], { cwd: HELLO, env: nothing, timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split("\n");
  for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  const last = JSON.parse(lines.at(-1) as string) as { type: string; plan: PlanLike };
  expect(last.type).toBe("result");
  const parsed = schema.safeParse(last);
  expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
  return { plan: last.plan, lines };
}

const decision = (plan: PlanLike, id: string) => plan.steps.find((s) => s.id === id)?.decision;

describe("--dry-run on a machine with no engine, cluster or credentials", () => {
  it("deploy --profile local plans, marking what it could not observe", () => {
    const { plan } = dryRun(["deploy", "--profile", "local"], deploySchema);
    expect(plan.flow).toBe("deploy");
    expect(decision(plan, "release.upgrade")).toBe("unknown");
    expect(decision(plan, "image.build")).toBe("unknown");
    expect(plan.unobserved.map((u) => u.what)).toContain("the cluster");
    expect(plan.unobserved.find((u) => u.what === "the cluster")?.why).toBe("the local cluster of hello is not running");
    expect(plan.blockers.map((b) => b.message)).toContain("external secret missing in profile local: STRIPE_API_KEY");
  });

  it("promote --profile prod plans the copy and the deploy without copying anything", () => {
    const { plan } = dryRun(["promote", "--profile", "prod"], promoteSchema);
    expect(plan.flow).toBe("promote");
    expect(decision(plan, "image.copy")).toBe("unknown");
    expect(plan.steps.map((s) => s.id)).not.toContain("image.build");
    expect(plan.unobserved[0]?.what).toBe("the image running in local");
    expect(plan.unobserved.find((u) => u.what === "the cluster")?.why).toMatch(/cannot describe EKS cluster hello-prod/);
  });

  it("rollback, platform and up plan too", () => {
    expect(dryRun(["rollback", "--profile", "local"], rollbackSchema).plan.steps.every((s) => s.decision === "unknown")).toBe(true);
    expect(decision(dryRun(["platform", "--profile", "prod"], platformSchema).plan, "platform.apply")).toBe("unknown");
    const up = dryRun(["up"], upSchema).lines;
    expect(up).toHaveLength(1);
  });

  it("prints the same plan in words", () => {
    const r = devstack(["deploy", "--profile", "local", "--dry-run"], { cwd: HELLO, env: nothing });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^plan: deploy hello to local \(unreachable\)/);
    expect(r.stdout).toContain("not observed: the cluster: the local cluster of hello is not running");
    expect(r.stdout).toContain("fix: devstack secrets set STRIPE_API_KEY --profile local < value.txt");
  });

  it("without --dry-run, a deploy that cannot reach its cluster says so with the fix, as one error line", () => {
    const r = devstack(["deploy", "--profile", "local", "--json"], { cwd: HELLO, env: nothing });
    expect(r.code).toBe(1);
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as { type: string; message: string; fix: string };
    expect(last.type).toBe("error");
    expect(last.message).toBe("the local cluster of hello is not running");
    expect(last.fix).toBe("start it with `devstack up`");
  });
});
