import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devstack, HELLO } from "../support/cli.js";

// Tier 3, the deploy engine on a real k3s (DEVSTACK_E2E=1; see up.test.ts).
const enabled = process.env.DEVSTACK_E2E === "1";

interface Release {
  revision: number;
  status: string;
  record?: { digest: string | null; promotedFrom?: string };
}

describe.skipIf(!enabled)("deploy, rollback and promote on a real k3s [e2e]", () => {
  const home = mkdtempSync(join(tmpdir(), "devstack-e2e-deploy-"));
  const dir = mkdtempSync(join(tmpdir(), "devstack-e2e-app-"));
  const env = { DEVSTACK_HOME: home };
  const run = (args: string[], timeoutMs = 20 * 60_000) => devstack(args, { cwd: dir, env, timeoutMs });
  const releases = (profile: string) => (JSON.parse(run(["releases", "--profile", profile, "--json"]).stdout) as { releases: Release[] }).releases;

  beforeAll(() => {
    for (const f of ["devstack.yaml", "Dockerfile", ".dockerignore", "package.json", "package-lock.json", "src", "profiles"]) cpSync(join(HELLO, f), join(dir, f), { recursive: true });
    // A second profile on the same cluster, in its own namespace and host.
    writeFileSync(join(dir, "profiles", "review.yaml"), `${readFileSync(join(dir, "profiles", "local.yaml"), "utf8")}host: hello-review.localhost\nnamespace: hello-review\n`);
    devstack(["secrets", "set", "STRIPE_API_KEY"], { cwd: dir, env, input: "sk_test_e2e_0123456789\n" });
    const up = run(["up", "--no-watch", "--json"], 30 * 60_000);
    if (up.code !== 0) throw new Error(`up failed:\n${up.stdout}\n${up.stderr}`);
  }, 30 * 60_000);

  afterAll(() => {
    run(["down", "--purge", "--yes"], 10 * 60_000);
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }, 10 * 60_000);

  it("a broken version is rolled back and the old one keeps answering", () => {
    const before = releases("local").find((r) => r.status === "deployed");
    const server = join(dir, "src", "server.js");
    const good = readFileSync(server, "utf8");
    writeFileSync(server, good.replace('return send(res, ready ? 200 : 503', 'return send(res, 500'));
    const broken = run(["deploy", "--profile", "local"]);
    writeFileSync(server, good);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/rolled the release back|rolled back to revision/);
    const after = releases("local").find((r) => r.status === "deployed");
    expect(after?.record?.digest).toBe(before?.record?.digest);
    const smoke = run(["rollback", "--profile", "local", "--to", String(after?.revision)]);
    expect(smoke.code).toBe(0);
  }, 30 * 60_000);

  it("promote deploys the digest running in the source profile, without building", () => {
    const source = releases("local").find((r) => r.status === "deployed");
    const r = run(["promote", "--profile", "review", "--from", "local", "--yes", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('"title":"image: build');
    const target = releases("review").find((x) => x.status === "deployed");
    expect(target?.record?.digest).toBe(source?.record?.digest);
    expect(target?.record?.promotedFrom).toBe("local");
  }, 30 * 60_000);
});
