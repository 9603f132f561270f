import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, resolveTexts } from "../config/resolve.js";
import { DevstackError, UsageError } from "../errors.js";
import { LocalStore } from "./local-store.js";
import { secretPlan, type SecretPlan } from "./model.js";
import { onStoreNotice } from "./notices.js";
import { redactorFor, requireExternal, rotateSecret, secretStates, secretsVersion, setSecret, syncSecrets } from "./sync.js";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");
const dir = mkdtempSync(join(tmpdir(), "devstack-sync-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = () => new LocalStore(join(dir, "stores", "hello-0000", "local.age"), dir);
const savedKeychain = process.env.DEVSTACK_KEYCHAIN;
beforeAll(() => {
  process.env.DEVSTACK_KEYCHAIN = "off";
  onStoreNotice(() => undefined);
});
afterAll(() => {
  onStoreNotice(undefined);
  if (savedKeychain === undefined) delete process.env.DEVSTACK_KEYCHAIN;
  else process.env.DEVSTACK_KEYCHAIN = savedKeychain;
});
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

describe("races and external databases", () => {
  it("gives every secret one value however many syncs race, with slow key pairs generated outside the lock", async () => {
    const slow: SecretPlan = {
      stored: [
        ...["A", "B"].map((name) => ({ name: `RSA_${name}`, group: "app" as const, kind: "generate" as const, recipe: { type: "keypair" as const, algorithm: "rsa-4096" as const }, sensitive: true })),
        { name: "TOKEN", group: "app", kind: "generate", recipe: { type: "random", length: 32, alphabet: "alphanumeric" }, sensitive: true },
      ],
      derived: [],
      localDatabase: true,
    };
    const racing = () => new LocalStore(join(dir, "stores", "race-0000", "local.age"), dir);
    const results = await Promise.all(Array.from({ length: 4 }, () => syncSecrets(slow, racing())));
    const final = await racing().read();
    // Exactly one value per secret was ever written, and every run reports it.
    expect(results.flatMap((r) => r.created).sort()).toEqual(["RSA_A", "RSA_B", "TOKEN"]);
    for (const r of results) for (const name of ["RSA_A", "RSA_B", "TOKEN"]) expect(r.snapshot.app[name]?.value).toBe(final.app[name]?.value);
  }, 120_000);

  it("lets the password of an external database be set (rotate cannot reach the role there)", async () => {
    const external = secretPlan(loadConfig({ cwd: HELLO, profile: "prod" }));
    const prodStore = () => new LocalStore(join(dir, "stores", "hello-prod", "prod.age"), dir);
    await setSecret(external, prodStore(), "database.password", "the-rds-role-password-0123");
    expect((await prodStore().read()).database.password?.value).toBe("the-rds-role-password-0123");
    const rotate = await rotateSecret(external, prodStore(), "database.password").catch((e: UsageError) => e);
    expect(rotate).toBeInstanceOf(UsageError);
    expect((rotate as UsageError).fix).toBe("change the role's password in the database first, then store it: `devstack secrets set database.password --profile <profile> < value.txt`");
    const composed = await setSecret(external, prodStore(), "DATABASE_URL", "postgresql://u:p@h/db").catch((e: UsageError) => e);
    expect((composed as UsageError).message).toBe("DATABASE_URL is composed from database.username and database.password; it is not stored itself");
    // Locally devstack runs the database and owns the role's password.
    await expect(setSecret(plan, store(), "database.password", "typed-by-a-human-0123")).rejects.toThrow(/generated by devstack; nobody types it/);
  });
});

describe("the redis group", () => {
  const APP = "name: shop\ncomponents:\n  web:\n    build: {}\n    port: 3000\n    routes: [{path: /}]\nredis:\n  env:\n    REDIS_URL: url\n    REDIS_PASSWORD: password\n    REDIS_HOST: host\n";
  const config = (profile: string) => resolveTexts({ file: "devstack.yaml", text: APP }, { file: "profiles/x.yaml", text: `cluster:\n  type: k3s\ndomain: localhost\n${profile}` }, "local");
  const local = secretPlan(config(""));
  const external = secretPlan(config("redis:\n  type: elasticache\n  host: cache.example.com\n"));
  const shopStore = () => new LocalStore(join(dir, "stores", "shop-0000", "local.age"), dir);

  it("lists redis.password and the variables that carry it; the host alone is no secret", async () => {
    await syncSecrets(local, shopStore());
    const states = secretStates(local, await shopStore().read());
    expect(states.filter((s) => s.group === "redis").map((s) => `${s.name}:${s.kind}:${s.state}`)).toEqual(["redis.password:generate:present", "REDIS_URL:derived:present", "REDIS_PASSWORD:derived:present"]);
    expect(states.find((s) => s.name === "REDIS_URL")?.description).toContain("(from redis.password)");
  });

  it("rotates REDIS_URL through redis.password, and redacts it", async () => {
    const before = (await shopStore().read()).redis.password?.value as string;
    expect(before).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(await rotateSecret(local, shopStore(), "REDIS_URL")).toBe("redis.password");
    const after = await shopStore().read();
    const value = after.redis.password?.value as string;
    expect(value).not.toBe(before);
    expect(redactorFor(local, after).redact(`redis://default:${value}@127.0.0.1:6379`)).toBe("redis://default:[secret:redis.password]@127.0.0.1:6379");
    const composed = await setSecret(local, shopStore(), "REDIS_URL", "redis://x").catch((e: UsageError) => e);
    expect((composed as UsageError).message).toBe("REDIS_URL is composed from redis.password; it is not stored itself");
    expect((composed as UsageError).fix).toBe("make a new password with `devstack secrets rotate REDIS_URL`");
  });

  it("takes ElastiCache's auth token with secrets set, and will not rotate it", async () => {
    const prodStore = () => new LocalStore(join(dir, "stores", "shop-prod", "prod.age"), dir);
    expect((await syncSecrets(external, prodStore())).missingExternal).toEqual(["redis.password"]);
    await setSecret(external, prodStore(), "redis.password", "elasticache-auth-token-0123456789");
    expect((await prodStore().read()).redis.password?.value).toBe("elasticache-auth-token-0123456789");
    const rotate = await rotateSecret(external, prodStore(), "REDIS_URL").catch((e: UsageError) => e);
    expect((rotate as UsageError).message).toMatch(/belongs to an external Redis/);
    expect((rotate as UsageError).fix).toContain("devstack secrets set redis.password");
    const composed = await setSecret(external, prodStore(), "REDIS_URL", "rediss://x").catch((e: UsageError) => e);
    expect((composed as UsageError).fix).toBe("store the password itself: `devstack secrets set redis.password --profile <profile> < value.txt`");
  });
});
