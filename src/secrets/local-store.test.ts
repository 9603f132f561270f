import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalStore } from "./local-store.js";
import { onStoreNotice, type StoreNotice } from "./notices.js";

const dir = mkdtempSync(join(tmpdir(), "devstack-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const notices: StoreNotice[] = [];
const savedKeychain = process.env.DEVSTACK_KEYCHAIN;
beforeEach(() => {
  notices.length = 0;
  onStoreNotice((n) => notices.push(n));
  // Unit tests never touch the user's keychain.
  process.env.DEVSTACK_KEYCHAIN = "off";
});
afterEach(() => {
  onStoreNotice(undefined);
  if (savedKeychain === undefined) delete process.env.DEVSTACK_KEYCHAIN;
  else process.env.DEVSTACK_KEYCHAIN = savedKeychain;
});

/** A store in its own home (key, record, markers), as a fresh user would have. */
function fresh(name: string): LocalStore {
  const home = join(dir, name);
  return new LocalStore(join(home, "stores", "app-0000", "local.age"), home);
}

async function failure(promise: Promise<unknown>): Promise<Error & { fix?: string }> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as Error & { fix?: string },
  );
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
    expect(statSync(store.home.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(store.location).mode & 0o777).toBe(0o600);
  });

  it("refuses a key file others can read", async () => {
    const store = fresh("loose");
    await store.update(() => [{ group: "app", name: "A", value: "x".repeat(10) }]);
    chmodSync(store.home.keyFile, 0o644);
    await expect(fresh("loose").read()).rejects.toThrow(/readable by others \(mode 644\)/);
    chmodSync(store.home.keyFile, 0o600);
  });

  it("in a fresh setup makes the key and the store on the first write, and says so once", async () => {
    const store = fresh("announce");
    expect(await store.read()).toEqual({ app: {}, database: {}, redis: {}, platform: {} });
    // Reading a store that does not exist makes nothing.
    expect(existsSync(store.home.dir)).toBe(false);
    await store.update(() => [{ group: "app", name: "A", value: "first-value-1" }]);
    expect(notices.map((n) => n.event)).toEqual(["secret-store-key-created", "secret-store-created"]);
    expect(notices[0]?.text).toMatch(/back it up now with `devstack secrets key --export FILE`/);
    await store.update(() => [{ group: "app", name: "B", value: "second-value-2" }]);
    expect(notices).toHaveLength(2);
    expect(existsSync(store.marker)).toBe(true);
  });

  it("never makes a new key over an existing store: a deleted key is an error naming the restore", async () => {
    const store = fresh("lostkey");
    await store.update(() => [{ group: "app", name: "A", value: "kept-value-1" }]);
    rmSync(store.home.keyFile);
    for (const attempt of [store.read(), store.update(() => [{ group: "app", name: "B", value: "new-value-22" }])]) {
      const error = await failure(attempt);
      expect(error.message).toMatch(/the secret store key is missing from .*age-identity\.txt, but .*store-key\.json says it was created/);
      expect(error.fix).toMatch(/devstack secrets key --import BACKUP_FILE/);
    }
    expect(existsSync(store.home.keyFile)).toBe(false);
    // Without the record, the store itself is the evidence.
    rmSync(store.home.recordFile);
    expect((await failure(store.read())).message).toMatch(/a store it encrypted exists/);
    expect((await failure(store.update(() => []))).message).toMatch(/stores it encrypted exist|a store it encrypted exists/);
    expect(existsSync(store.home.keyFile)).toBe(false);
  });

  it("never regenerates a deleted store: its marker says values were created", async () => {
    const store = fresh("loststore");
    await store.update(() => [{ group: "app", name: "A", value: "kept-value-1" }]);
    rmSync(store.location);
    const error = await failure(store.read());
    expect(error.message).toMatch(/the secret store .*local\.age is missing, but its values were created on /);
    expect(error.fix).toBe(`restore ${store.location} from a backup; or, to make new values (external ones must be set again), remove the marker: \`rm ${store.marker}\``);
    await expect(store.update(() => [{ group: "app", name: "A", value: "regenerated-1" }])).rejects.toThrow(/is missing, but its values were created/);
    rmSync(store.marker);
    expect((await store.read()).app).toEqual({});
  });

  it("points at .prev when the store is gone but its previous version is readable", async () => {
    const store = fresh("prevonly");
    await store.update(() => [{ group: "app", name: "A", value: "first-value-1" }]);
    await store.update(() => [{ group: "app", name: "B", value: "second-value-2" }]);
    rmSync(store.location);
    expect((await failure(store.read())).fix).toBe(`its previous version is kept and readable: \`cp ${store.location}.prev ${store.location}\` restores it`);
  });

  it("says so when the store was encrypted for another key", async () => {
    const a = fresh("keyA");
    await a.update(() => [{ group: "app", name: "A", value: "x".repeat(10) }]);
    const b = fresh("keyB");
    await b.update(() => [{ group: "app", name: "A", value: "y".repeat(10) }]);
    writeFileSync(b.location, readFileSync(a.location));
    const error = await failure(b.read());
    expect(error.message).toMatch(/cannot decrypt .*keyB.*local\.age: it was encrypted with another key than the one in .*keyB.*age-identity\.txt/);
    expect(error.fix).toMatch(/devstack secrets key --import BACKUP_FILE/);
  });

  it("names the kept previous version when the file is damaged, only if that one is readable", async () => {
    const store = fresh("truncated");
    await store.update(() => [{ group: "app", name: "A", value: "first-value-123" }]);
    await store.update(() => [{ group: "app", name: "B", value: "second-value-456" }]);
    expect(existsSync(`${store.location}.prev`)).toBe(true);
    truncateSync(store.location, 100);
    const error = await failure(store.read());
    expect(error.message).toMatch(/is damaged: it is cut short or altered/);
    expect(error.fix).toBe(`the previous version is kept and readable: \`cp ${store.location}.prev ${store.location}\` restores it (check it with \`devstack secrets ls\`)`);
    writeFileSync(store.location, readFileSync(`${store.location}.prev`));
    expect((await store.read()).app.A?.value).toBe("first-value-123");
  });

  it("does not point at .prev when it is damaged too (both empty)", async () => {
    const store = fresh("bothempty");
    await store.update(() => [{ group: "app", name: "A", value: "first-value-123" }]);
    await store.update(() => [{ group: "app", name: "B", value: "second-value-456" }]);
    truncateSync(store.location, 0);
    truncateSync(`${store.location}.prev`, 0);
    const error = await failure(store.read());
    expect(error.message).toMatch(/is damaged: it is empty \(0 bytes\)/);
    expect(error.fix).not.toMatch(/cp /);
    expect(error.fix).toMatch(/previous version .*\.prev is damaged too/);
    expect(error.fix).toContain(`mv ${store.location} ${store.location}.damaged && rm -f ${store.location}.prev ${store.marker}`);
  });

  it("never quotes decrypted content in an error (JSON.parse would quote values)", async () => {
    const store = fresh("notjson");
    await store.update(() => [{ group: "app", name: "A", value: "x".repeat(10) }]);
    const { Encrypter } = await import("age-encryption");
    const { loadKey } = await import("./store-key.js");
    const key = await loadKey(store.home);
    const encrypter = new Encrypter();
    encrypter.addRecipient(key?.recipient as string);
    writeFileSync(store.location, await encrypter.encrypt('{"groups": {"app": {"A": "supersecret-value-0123'));
    const error = await failure(store.read());
    expect(error.message).toMatch(/its decrypted content is not a devstack store/);
    expect(JSON.stringify(error)).not.toContain("supersecret");
    expect(error.message).not.toContain("supersecret");
  });

  it("reads a store written before the redis group existed, and writes redis values into it", async () => {
    const store = fresh("before-redis");
    await store.update(() => [{ group: "app", name: "A", value: "x".repeat(10) }]);
    const { Encrypter } = await import("age-encryption");
    const { loadKey } = await import("./store-key.js");
    const key = await loadKey(store.home);
    const encrypter = new Encrypter();
    encrypter.addRecipient(key?.recipient as string);
    const old = { version: 1, groups: { app: { A: { value: "old-app-value", updatedAt: "t" } }, database: { password: { value: "old-db-password", updatedAt: "t" } }, platform: {} } };
    writeFileSync(store.location, await encrypter.encrypt(JSON.stringify(old)));
    const snapshot = await store.read();
    expect(snapshot.redis).toEqual({});
    expect(snapshot.database.password?.value).toBe("old-db-password");
    await store.update(() => [{ group: "redis", name: "password", value: "new-redis-password" }]);
    const after = await fresh("before-redis").read();
    expect(after.redis.password?.value).toBe("new-redis-password");
    expect(after.app.A?.value).toBe("old-app-value");
  });

  it("removes temporary files that killed runs left behind", async () => {
    const store = fresh("leftovers");
    await store.update(() => [{ group: "app", name: "A", value: "x".repeat(10) }]);
    const dead = spawnSync(process.execPath, ["-e", ""]).pid; // a process that has exited
    const leftovers = [`${store.location}.${dead}.0badf00d.tmp`, `${store.location}.prev.${dead}.tmp`, `${store.location}.lock.${dead}-0123456789ab.tmp`];
    for (const f of leftovers) writeFileSync(f, "x");
    await store.update(() => [{ group: "app", name: "B", value: "y".repeat(10) }]);
    for (const f of leftovers) expect(existsSync(f)).toBe(false);
  });
});
