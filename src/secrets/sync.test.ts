import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import { DevstackError, UsageError } from "../errors.js";
import { LocalStore } from "./local-store.js";
import { secretPlan } from "./model.js";
import { redactorFor, requireExternal, rotateSecret, secretStates, secretsVersion, setSecret, syncSecrets } from "./sync.js";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");
const dir = mkdtempSync(join(tmpdir(), "devstack-sync-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = () => new LocalStore(join(dir, "stores", "hello.age"), join(dir, "key.txt"));
const plan = secretPlan(loadConfig({ cwd: HELLO, profile: "local" }));

describe("the secret plan of examples/hello", () => {
  it("stores app secrets and the database role, and derives DATABASE_URL", () => {
    expect(plan.stored.map((v) => `${v.group}.${v.name}:${v.kind}`)).toEqual([
      "app.SESSION_KEY:generate",
      "app.WEBHOOK_SIGNING_KEY:generate",
      "app.JWT_PRIVATE_KEY:generate",
      "app.STRIPE_API_KEY:external",
      "database.username:generate",
      "database.password:generate",
      "platform.postgres-superuser-password:generate",
      "platform.SMTP_PASSWORD:generate",
      "platform.GRAFANA_ADMIN_PASSWORD:generate",
      "app.EXPORT_S3_ACCESS_KEY_ID:generate",
      "app.EXPORT_S3_SECRET_ACCESS_KEY:generate",
    ]);
    expect(plan.derived.map((d) => d.name)).toEqual(["DATABASE_URL"]);
  });

  it("generates the local object store's key pair: the access key shown like a role name, the secret key redacted", () => {
    const keys = plan.stored.filter((v) => v.name.startsWith("EXPORT_S3_"));
    expect(keys).toEqual([
      { name: "EXPORT_S3_ACCESS_KEY_ID", group: "app", kind: "generate", recipe: { type: "random", length: 20, alphabet: "alphanumeric" }, description: "access key of the local S3 object store (export jobs read it)", sensitive: false },
      { name: "EXPORT_S3_SECRET_ACCESS_KEY", group: "app", kind: "generate", recipe: { type: "random", length: 40, alphabet: "alphanumeric" }, description: "secret key of the local S3 object store (export jobs read it)", sensitive: true },
    ]);
  });

  it("holds no object store keys where the profile writes to an S3 bucket (the AWS credential chain reaches it)", () => {
    const prod = secretPlan(loadConfig({ cwd: HELLO, profile: "prod" }));
    expect(prod.stored.filter((v) => v.name.startsWith("EXPORT_S3_"))).toEqual([]);
  });

  it("adds the SMTP relay password where the profile uses a relay", () => {
    const prod = secretPlan(loadConfig({ cwd: HELLO, profile: "prod" }));
    expect(prod.stored.find((v) => v.group === "platform")).toMatchObject({ name: "SMTP_PASSWORD", kind: "external" });
  });
});

describe("sync, set and rotate", () => {
  it("generates what is missing, once", async () => {
    const first = await syncSecrets(plan, store());
    expect(first.created).toEqual(["SESSION_KEY", "WEBHOOK_SIGNING_KEY", "JWT_PRIVATE_KEY", "database.username", "database.password", "platform.postgres-superuser-password", "platform.SMTP_PASSWORD", "platform.GRAFANA_ADMIN_PASSWORD", "EXPORT_S3_ACCESS_KEY_ID", "EXPORT_S3_SECRET_ACCESS_KEY"]);
    expect(first.missingExternal).toEqual(["STRIPE_API_KEY"]);
    const second = await syncSecrets(plan, store());
    expect(second.created).toEqual([]);
    expect(second.snapshot).toEqual(first.snapshot);
    expect(second.snapshot.database.username?.value).toBe("hello_app");
  });

  it("stops a deploy while an external secret is missing, naming the command", async () => {
    const result = await syncSecrets(plan, store());
    expect(() => requireExternal(result, "local")).toThrow(DevstackError);
    try {
      requireExternal(result, "local");
    } catch (error) {
      expect((error as DevstackError).fix).toBe("devstack secrets set STRIPE_API_KEY --profile local < value.txt");
    }
  });

  it("sets an external secret and then reports it present", async () => {
    await setSecret(plan, store(), "STRIPE_API_KEY", "sk_test_0123456789");
    const states = secretStates(plan, await store().read());
    expect(states.find((s) => s.name === "STRIPE_API_KEY")?.state).toBe("present");
    expect(states.find((s) => s.name === "DATABASE_URL")).toMatchObject({ kind: "derived", state: "present" });
    expect(JSON.stringify(states)).not.toContain("sk_test_0123456789");
  });

  it("refuses to set what devstack generates, or an empty value", async () => {
    await expect(setSecret(plan, store(), "SESSION_KEY", "x".repeat(20))).rejects.toThrow(UsageError);
    await expect(setSecret(plan, store(), "STRIPE_API_KEY", "")).rejects.toThrow(/empty/);
    await expect(setSecret(plan, store(), "NOPE", "x")).rejects.toThrow(/no secret named NOPE/);
    await expect(setSecret(plan, store(), "STRIPE_API_KEY", "abc")).rejects.toThrow(/shorter than 6 characters/);
  });

  it("rotates a generated secret, and DATABASE_URL through the database password", async () => {
    const before = await store().read();
    expect(await rotateSecret(plan, store(), "SESSION_KEY")).toBe("SESSION_KEY");
    expect(await rotateSecret(plan, store(), "DATABASE_URL")).toBe("database.password");
    const after = await store().read();
    expect(after.app.SESSION_KEY?.value).not.toBe(before.app.SESSION_KEY?.value);
    expect(after.database.password?.value).not.toBe(before.database.password?.value);
    expect(after.app.WEBHOOK_SIGNING_KEY).toEqual(before.app.WEBHOOK_SIGNING_KEY);
    expect(secretsVersion(after)).not.toBe(secretsVersion(before));
    await expect(rotateSecret(plan, store(), "STRIPE_API_KEY")).rejects.toThrow(/cannot be rotated/);
    const external = secretPlan(loadConfig({ cwd: HELLO, profile: "prod" }));
    await expect(rotateSecret(external, store(), "DATABASE_URL")).rejects.toThrow(/belongs to an external database/);
  });

  it("redacts every sensitive stored value but not the role name", async () => {
    const snapshot = await store().read();
    const redactor = redactorFor(plan, snapshot);
    const text = `${snapshot.app.SESSION_KEY?.value} ${snapshot.database.password?.value} ${snapshot.database.username?.value}`;
    expect(redactor.redact(text)).toBe("[secret:SESSION_KEY] [secret:database.password] hello_app");
    const access = snapshot.app.EXPORT_S3_ACCESS_KEY_ID?.value as string;
    expect(access).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(snapshot.app.EXPORT_S3_SECRET_ACCESS_KEY?.value).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(redactor.redact(`${access} ${snapshot.app.EXPORT_S3_SECRET_ACCESS_KEY?.value}`)).toBe(`${access} [secret:EXPORT_S3_SECRET_ACCESS_KEY]`);
  });
});
