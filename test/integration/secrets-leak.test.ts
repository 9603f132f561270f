import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { resolveHelm } from "../../src/charts/helm-binary.js";
import type { Snapshot } from "../../src/secrets/store.js";
import { readStoreIn } from "../support/store.js";
import { devstack, HELLO } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { helmMissing } from "../support/helm.js";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

function values(snapshot: Snapshot): string[] {
  return [...Object.values(snapshot.app), snapshot.database.password, ...Object.values(snapshot.platform)].filter((e) => e !== undefined).map((e) => e.value);
}

describeWithEngine("helm", helmMissing(), "no secret value leaves devstack", () => {
  const home = mkdtempSync(join(tmpdir(), "devstack-leak-"));
  const log = join(home, "helm-argv.log");
  const outDir = join(home, "rendered");
  const seen: string[] = [];
  const outputs: string[] = [];
  let env: NodeJS.ProcessEnv;

  const snapshot = (): Promise<Snapshot> => readStoreIn(home, HELLO);


  function run(args: string[], input?: string) {
    const r = devstack(args, { env, ...(input === undefined ? {} : { input }) });
    outputs.push(`$ devstack ${args.join(" ")}\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  beforeAll(async () => {
    // A helm that records its argument list and every values file it is given, then runs the real one.
    const real = (await resolveHelm()).path;
    const wrapper = join(home, "helm");
    writeFileSync(
      wrapper,
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nprev=''\nfor a in "$@"; do [ "$prev" = "--values" ] && cat "$a" >> '${log}'; prev="$a"; done\nexec '${real}' "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    env = { DEVSTACK_HOME: home, DEVSTACK_HELM: wrapper, DEVSTACK_OFFLINE: "1" };

    expect(run(["secrets", "sync"]).code).toBe(1);
    expect(run(["secrets", "set", "STRIPE_API_KEY"], "sk_live_leaktest_0123456789abcdef\n").code).toBe(0);
    seen.push(...values(await snapshot()));
    const commands: string[][] = [
      ["secrets", "sync"],
      ["secrets", "sync", "--json"],
      ["secrets", "ls"],
      ["secrets", "ls", "--json"],
      ["config"],
      ["config", "--json"],
      ["config", "--profile", "prod", "--json"],
      ["diff", "local", "prod"],
      ["diff", "local", "prod", "--json", "--strict"],
      ["render"],
      ["render", "--json"],
      ["render", "--out", outDir],
      ["render", "--image", "localhost:5001/hello:latest"],
      ["schema"],
      ["doctor", "--json"],
      ["secrets", "rotate", "WEBHOOK_SIGNING_KEY"],
      ["secrets", "rotate", "DATABASE_URL", "--json"],
      ["secrets", "rotate", "STRIPE_API_KEY"],
      ["secrets", "set", "SESSION_KEY"],
      ["secrets", "ls"],
    ];
    for (const args of commands) run(args, "");
    seen.push(...values(await snapshot()));
  }, 120_000);

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("ran the commands for real, helm included", () => {
    // Ten values before (four app secrets, the role's, the Postgres superuser's, the SMTP and Grafana passwords, the object store's two keys), two rotated after.
    expect(new Set(seen).size).toBe(12);
    expect(statSync(log).size).toBeGreaterThan(0);
    expect(readFileSync(log, "utf8")).toContain("template");
    expect(outputs.join("\n")).toContain("values don't meet the specifications of the schema");
  });

  it.each([
    ["stdout and stderr of every command", () => outputs.join("\n")],
    ["rendered manifests and values files", () => filesUnder(outDir).map((f) => readFileSync(f, "utf8")).join("\n")],
    ["helm's argument lists and the values files it was given", () => readFileSync(log, "utf8")],
    ["devstack's cache (rendered charts, validated manifests, CRD schemas)", () => filesUnder(join(home, "cache")).filter((f) => /\.(json|yaml)$/.test(f)).map((f) => readFileSync(f, "utf8")).join("\n")],
  ])("%s hold no secret value, plain or base64", (_what, text) => {
    const haystack = text();
    expect(haystack.length).toBeGreaterThan(0);
    for (const value of seen) {
      expect(haystack).not.toContain(value);
      expect(haystack).not.toContain(Buffer.from(value).toString("base64"));
      expect(haystack).not.toContain(Buffer.from(value).toString("base64url"));
    }
  });
});
