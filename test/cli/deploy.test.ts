import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { devstack } from "../support/cli.js";

const home = mkdtempSync(join(tmpdir(), "devstack-deploy-home-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("deploy, releases, rollback and promote without a cluster", () => {
  for (const args of [["deploy"], ["releases"], ["rollback"], ["platform"], ["logs"], ["jobs", "ls"], ["jobs", "run", "cleanup"], ["alerts", "test", "error-burst"]]) {
    it(`${args.join(" ")} --profile local says the local cluster is not running and how to start it`, () => {
      const r = devstack([...args, "--profile", "local"], { env: { DEVSTACK_HOME: home } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("the local cluster of hello is not running");
      expect(r.stderr).toContain("fix: start it with `devstack up`");
    });
  }

  it("names the declared jobs and alerts when asked for one that is not", () => {
    expect(devstack(["jobs", "run", "nightly"], { env: { DEVSTACK_HOME: home } }).stderr).toContain("declared: cleanup");
    const r = devstack(["logs", "--level", "loud"], { env: { DEVSTACK_HOME: home } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--level loud is not a level");
  });

  it("promote asks for the source profile's cluster first", () => {
    const r = devstack(["promote", "--profile", "prod", "--from", "local", "--yes"], { env: { DEVSTACK_HOME: home } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the local cluster of hello is not running");
  });
});

describe("the EKS exec credential plugin", () => {
  it("signs a token from the standard credential chain and answers kubectl's protocol", () => {
    const r = devstack(["eks-token", "--cluster", "hello-prod", "--region", "eu-central-1"], {
      env: { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", AWS_PROFILE: "", AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" },
    });
    expect(r.code).toBe(0);
    const credential = JSON.parse(r.stdout) as { kind: string; status: { token: string } };
    expect(credential.kind).toBe("ExecCredential");
    expect(credential.status.token).toMatch(/^k8s-aws-v1\./);
    expect(Buffer.from(credential.status.token.slice(11), "base64url").toString()).toContain("X-Amz-Credential=AKIDEXAMPLE");
  });

  it("is not listed in --help", () => {
    expect(devstack(["--help"]).stdout).not.toContain("eks-token");
  });
});
