import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { KeyHome } from "./key-home.js";
import { LocalStore } from "./local-store.js";
import { onStoreNotice } from "./notices.js";
import { exportKey, importKey, keyStatus, loadKey, moveKey, startOver } from "./store-key.js";

const dir = mkdtempSync(join(tmpdir(), "devstack-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const saved = { keychain: process.env.DEVSTACK_KEYCHAIN, bus: process.env.DBUS_SESSION_BUS_ADDRESS, runtime: process.env.XDG_RUNTIME_DIR };
beforeEach(() => {
  onStoreNotice(() => undefined);
  process.env.DEVSTACK_KEYCHAIN = "off";
});
afterEach(() => {
  onStoreNotice(undefined);
  for (const [name, value] of [["DEVSTACK_KEYCHAIN", saved.keychain], ["DBUS_SESSION_BUS_ADDRESS", saved.bus], ["XDG_RUNTIME_DIR", saved.runtime]] as const) {
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  }
});

async function withStore(name: string): Promise<{ home: KeyHome; store: LocalStore }> {
  const home = new KeyHome(join(dir, name));
  const store = new LocalStore(join(home.storesDir, "app-0000", "local.age"), home);
  await store.update(() => [{ group: "app", name: "A", value: "kept-value-123" }]);
  return { home, store };
}

async function failure(promise: Promise<unknown>): Promise<Error & { fix?: string }> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as Error & { fix?: string },
  );
}

describe("the store key", () => {
  it("exports a backup to a new 0600 file and never over an existing one", async () => {
    const { home } = await withStore("export");
    const backup = join(dir, "export-backup.txt");
    const key = await exportKey(home, backup);
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(readFileSync(backup, "utf8")).toContain(key.identity);
    const refused = await failure(exportKey(home, backup));
    expect(refused.message).toBe(`${backup} exists; a key backup never overwrites a file`);
  });

  it("restores a lost key from its backup, and the store opens again", async () => {
    const { home, store } = await withStore("restore");
    const backup = join(dir, "restore-backup.txt");
    await exportKey(home, backup);
    rmSync(home.keyFile);
    await expect(store.read()).rejects.toThrow(/secret store key is missing/);
    const { changed } = await importKey(home, backup);
    expect(changed).toBe(true);
    expect((await store.read()).app.A?.value).toBe("kept-value-123");
    expect((await importKey(home, backup)).changed).toBe(false);
  });

  it("replaces a damaged key file with the backup, keeping the damaged one aside", async () => {
    const { home, store } = await withStore("damaged");
    const backup = join(dir, "damaged-backup.txt");
    await exportKey(home, backup);
    writeFileSync(home.keyFile, "AGE-SECRET-KEY-1QQQ", { mode: 0o600 });
    await expect(store.read()).rejects.toThrow(/is cut short/);
    await importKey(home, backup);
    expect((await store.read()).app.A?.value).toBe("kept-value-123");
    expect(readdirSync(home.dir).some((f) => f.startsWith("age-identity.txt.damaged-"))).toBe(true);
  });

  it("refuses to import another key than the one the stores need", async () => {
    const { home } = await withStore("wrongimport");
    const other = await withStore("otherkey");
    const backup = join(dir, "other-backup.txt");
    await exportKey(other.home, backup);
    // With a working key in place.
    expect((await failure(importKey(home, backup))).message).toMatch(/a different secret store key is in place/);
    // With the key lost: the record's public key tells them apart.
    rmSync(home.keyFile);
    expect((await failure(importKey(home, backup))).message).toMatch(/is not the key that encrypted the stores: its public key is age1/);
    // Without the record, the stores themselves refuse it.
    rmSync(home.recordFile);
    expect((await failure(importKey(home, backup))).message).toMatch(/does not open .*local\.age/);
  });

  it("reports a key that is not the stores' key by public key (never by the key itself)", async () => {
    const { home } = await withStore("swapped");
    const other = await withStore("swapped-other");
    writeFileSync(home.keyFile, readFileSync(other.home.keyFile), { mode: 0o600 });
    const error = await failure(loadKey(home));
    expect(error.message).toMatch(/is not the key that encrypted the stores: its public key is age1\w+, the stores' is age1\w+/);
    expect(error.message).not.toMatch(/AGE-SECRET-KEY/);
  });

  it("starts over by setting everything aside, deleting nothing; the next write makes a new key", async () => {
    const { home, store } = await withStore("startover");
    rmSync(home.keyFile);
    const { aside, moved } = await startOver(home);
    expect(moved).toEqual([home.storesDir, home.markersDir, home.recordFile]);
    expect(existsSync(join(aside, "stores", "app-0000", "local.age"))).toBe(true);
    expect(await store.read()).toEqual({ app: {}, database: {}, redis: {}, platform: {} });
    await store.update(() => [{ group: "app", name: "A", value: "new-value-456" }]);
    expect((await store.read()).app.A?.value).toBe("new-value-456");
  });

  it("names a damaged record and says it holds no secret", async () => {
    const { home } = await withStore("record");
    writeFileSync(home.recordFile, "{not json");
    const error = await failure(loadKey(home));
    expect(error.message).toBe(`the key record ${home.recordFile} is damaged`);
    expect(error.fix).toMatch(/it holds no secret/);
  });

  it("cannot move the key to a keychain this session cannot reach, and says why", async () => {
    const { home } = await withStore("nokeychain");
    delete process.env.DBUS_SESSION_BUS_ADDRESS;
    process.env.XDG_RUNTIME_DIR = join(dir, "no-runtime");
    if (process.platform === "linux") await expect(moveKey(home, "keychain")).rejects.toThrow(/no D-Bus session bus/);
    expect((await moveKey(home, "file")).changed).toBe(false);
  });

  it("shows where the key is and whether it works", async () => {
    const { home } = await withStore("status");
    expect(await keyStatus(home)).toMatchObject({ state: "ok", kind: "file", where: home.keyFile, stores: [join(home.storesDir, "app-0000", "local.age")] });
    writeFileSync(home.keyFile, "", { mode: 0o600 });
    expect(await keyStatus(home)).toMatchObject({ state: "broken", problem: expect.stringMatching(/is empty/), fix: expect.stringMatching(/--import/) });
    expect(await keyStatus(new KeyHome(join(dir, "nothing")))).toMatchObject({ state: "none", stores: [] });
  });
});
