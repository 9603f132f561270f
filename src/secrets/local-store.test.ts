import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalStore } from "./local-store.js";

const dir = mkdtempSync(join(tmpdir(), "devstack-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fresh(name: string, key = join(dir, `${name}.key`)): LocalStore {
  return new LocalStore(join(dir, name, "local.age"), key);
}

describe("the local store", () => {
  it("round-trips values through an age-encrypted file", async () => {
    const store = fresh("roundtrip");
    await store.update(() => [
      { group: "app", name: "A", value: "value-one-é€" },
      { group: "database", name: "password", value: "pw-0123456789" },
    ]);
    const snapshot = await fresh("roundtrip").read();
    expect(snapshot.app.A?.value).toBe("value-one-é€");
    expect(snapshot.database.password?.value).toBe("pw-0123456789");
    const raw = readFileSync(store.location);
    expect(raw.toString("latin1").startsWith("age-encryption.org/v1")).toBe(true);
    expect(raw.includes("pw-0123456789")).toBe(false);
  });

  it("keeps the key and the store private to the user", async () => {
    const store = fresh("perms");
    await store.update(() => [{ group: "app", name: "A", value: "x".repeat(10) }]);
    expect(statSync(join(dir, "perms.key")).mode & 0o777).toBe(0o600);
    expect(statSync(store.location).mode & 0o777).toBe(0o600);
  });

  it("refuses a key file others can read", async () => {
    const key = join(dir, "loose.key");
    await fresh("loose", key).update(() => [{ group: "app", name: "A", value: "x".repeat(10) }]);
    chmodSync(key, 0o644);
    await expect(fresh("loose", key).read()).rejects.toThrow(/readable by others/);
    chmodSync(key, 0o600);
  });

  it("says so when the store was encrypted for another key", async () => {
    const store = fresh("wrongkey");
    await store.update(() => [{ group: "app", name: "A", value: "x".repeat(10) }]);
    const other = new LocalStore(store.location, join(dir, "other.key"));
    await expect(other.read()).rejects.toThrow(/encrypted for another key/);
  });

  it("names the kept previous version when the file is damaged", async () => {
    const store = fresh("truncated");
    await store.update(() => [{ group: "app", name: "A", value: "first-value-123" }]);
    await store.update(() => [{ group: "app", name: "B", value: "second-value-456" }]);
    expect(existsSync(`${store.location}.prev`)).toBe(true);
    truncateSync(store.location, 100);
    const error = (await store.read().then(
      () => new Error("expected the read to fail"),
      (e: unknown) => e,
    )) as Error & { fix?: string };
    expect(error.message).toMatch(/is damaged/);
    expect((error as { fix?: string }).fix).toBe(`the previous version is kept: \`cp ${store.location}.prev ${store.location}\` restores it (check it with \`devstack secrets ls\`)`);
    writeFileSync(store.location, readFileSync(`${store.location}.prev`));
    expect((await store.read()).app.A?.value).toBe("first-value-123");
  });
});
