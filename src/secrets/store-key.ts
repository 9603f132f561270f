import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { DevstackError, UsageError } from "../errors.js";
import { writeDurable } from "../fs/durable.js";
import { identityFileText, newIdentity, parseIdentity, type StoreIdentity } from "./identity.js";
import type { KeyHome } from "./key-home.js";
import { describeEntry, keychainDelete, keychainEntry, keychainGet, keychainSet, keychainUnreachable, keychainWanted, type KeychainEntry } from "./keychain.js";
import { notify } from "./notices.js";
import { fsStep } from "./store-errors.js";
import { sweepDeadTemps, withLock } from "./store-lock.js";

// Where the store key lives, and how it moves:
// - A new key goes to the OS keychain when one is reachable and wanted
//   (see keychainWanted), else to a 0600 file beside the stores.
// - The record file (store-key.json) says which, with the key's public key:
//   it holds no secret. It decides where the key is read from; without one
//   (keys made by older versions) the file is read, then the keychain.
// - Keys move only by command (`devstack secrets key --move-to`), which
//   writes the new place, then the record, then removes the old place.
// - A key is created only when nothing says one existed: no record, no
//   store, no marker of a store. Otherwise a missing key is lost, and that
//   is an error naming how to restore it — never a silent new key.

type KeyLocation = { kind: "file"; path: string } | { kind: "keychain"; entry: KeychainEntry };

export interface LoadedKey extends StoreIdentity {
  location: KeyLocation;
}

interface KeyRecord {
  version: 1;
  where: "file" | "keychain";
  service?: string;
  account?: string;
  recipient: string;
  createdAt: string;
}

function describeLocation(location: KeyLocation): string {
  return location.kind === "file" ? location.path : describeEntry(location.entry);
}

export function restoreFix(): string {
  return "restore it from your backup: `devstack secrets key --import BACKUP_FILE`; without a backup, `devstack secrets key --start-over` sets the stores it encrypted aside, and the next run makes a new key and new values (external secrets must be set again)";
}

class LostKeyError extends DevstackError {
  constructor(where: string, evidence: string) {
    super(`the secret store key is missing from ${where}, but ${evidence}; devstack never makes a new key over stores an old one encrypted`, { fix: restoreFix() });
    this.name = "LostKeyError";
  }
}

function readRecord(home: KeyHome): KeyRecord | undefined {
  let text: string;
  try {
    text = readFileSync(home.recordFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const record = JSON.parse(text) as KeyRecord;
    if ((record.where === "file" || record.where === "keychain") && typeof record.recipient === "string") return record;
  } catch {
    // Reported below.
  }
  throw new DevstackError(`the key record ${home.recordFile} is damaged`, {
    fix: `it holds no secret, only where the key is: remove it (\`rm ${home.recordFile}\`) and run again; devstack then finds the key in ${home.keyFile} or the keychain`,
  });
}

function writeRecord(home: KeyHome, location: KeyLocation, recipient: string, createdAt = new Date().toISOString()): void {
  const record: KeyRecord = {
    version: 1,
    where: location.kind,
    ...(location.kind === "keychain" ? { service: location.entry.service, account: location.entry.account } : {}),
    recipient,
    createdAt,
  };
  writeDurable(home.recordFile, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

function recordEntry(record: KeyRecord): KeychainEntry {
  const entry = keychainEntry();
  return { service: record.service ?? entry.service, account: record.account ?? entry.account };
}

async function readKeyFile(path: string): Promise<LoadedKey> {
  const mode = (await fsStep("read the secret store key", path, () => statSync(path))).mode & 0o777;
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new DevstackError(`the secret store key ${path} is readable by others (mode ${mode.toString(8)}); its file mode is its only protection`, { fix: `chmod 600 ${path}` });
  }
  const text = await fsStep("read the secret store key", path, () => readFileSync(path, "utf8"));
  return { ...(await parseIdentity(text, path, restoreFix())), location: { kind: "file", path } };
}

async function readKeychain(entry: KeychainEntry): Promise<LoadedKey | undefined> {
  const text = await keychainGet(entry);
  if (text === undefined) return undefined;
  return { ...(await parseIdentity(text, describeEntry(entry), restoreFix())), location: { kind: "keychain", entry } };
}

function checkRecipient(key: LoadedKey, record: KeyRecord | undefined): LoadedKey {
  if (record && record.recipient !== key.recipient) {
    throw new DevstackError(
      `the secret store key in ${key.where} is not the key that encrypted the stores: its public key is ${key.recipient}, the stores' is ${record.recipient}`,
      { fix: `put the key with public key ${record.recipient} back: \`devstack secrets key --import BACKUP_FILE\`; or \`devstack secrets key --start-over\` to set the old stores aside` },
    );
  }
  return key;
}

/**
 * The store key, from wherever its record says; undefined only when there
 * is none and nothing says there ever was one (a fresh setup). `storeFile`
 * is the store about to be read, counted as evidence that a key existed.
 */
export async function loadKey(home: KeyHome, storeFile?: string): Promise<LoadedKey | undefined> {
  const record = await fsStep("read the key record", home.recordFile, () => readRecord(home));
  if (record?.where === "keychain") {
    const entry = recordEntry(record);
    const unreachable = keychainUnreachable();
    if (unreachable) {
      throw new DevstackError(`the secret store key is kept in ${describeEntry(entry)}, which this session cannot reach: ${unreachable}`, {
        fix: "run devstack where your keychain is unlocked (your desktop session), or there move the key to a file: `devstack secrets key --move-to file`",
      });
    }
    const key = await readKeychain(entry);
    if (!key) throw new LostKeyError(describeEntry(entry), `${home.recordFile} says it was put there on ${record.createdAt}`);
    return checkRecipient(key, record);
  }
  if (existsSync(home.keyFile)) return checkRecipient(await readKeyFile(home.keyFile), record);
  if (!record && keychainWanted() && !keychainUnreachable()) {
    // A run killed between storing a new key in the keychain and writing its record.
    const key = await readKeychain(keychainEntry()).catch(() => undefined);
    if (key) return key;
  }
  if (record) throw new LostKeyError(home.keyFile, `${home.recordFile} says it was created on ${record.createdAt}`);
  const stores = home.existingStores(storeFile);
  if (stores.length > 0) {
    throw new LostKeyError(home.keyFile, `${stores.length === 1 ? "a store it encrypted exists" : `${stores.length} stores it encrypted exist`} (${stores[0]})`);
  }
  return undefined;
}

/** A run killed while writing a key leaves its temporary file (key material), removed once its process is gone. */
function sweepKeyTemps(home: KeyHome): void {
  for (const file of [home.keyFile, home.recordFile]) sweepDeadTemps(file, /^(\d+)\.[0-9a-f]+\.tmp$/);
}

/** Writes the key file so it appears whole or not at all, and never over another. */
function writeKeyFile(path: string, identity: string): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, identityFileText(identity));
    fsyncSync(fd);
    closeSync(fd);
    linkSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}

async function place(home: KeyHome, identity: string, preferKeychain: boolean): Promise<{ location: KeyLocation; fallback?: string }> {
  let fallback: string | undefined;
  if (preferKeychain) {
    const unreachable = keychainUnreachable();
    if (!unreachable) {
      const entry = keychainEntry();
      try {
        await keychainSet(entry, identity);
        return { location: { kind: "keychain", entry } };
      } catch (error) {
        fallback = (error as Error).message;
      }
    } else {
      fallback = unreachable;
    }
  }
  writeKeyFile(home.keyFile, identity);
  return { location: { kind: "file", path: home.keyFile }, ...(fallback ? { fallback } : {}) };
}

/** The key, made on first need in a fresh setup (and announced once); concurrent first runs agree on one. */
export async function loadOrCreateKey(home: KeyHome, storeFile?: string): Promise<LoadedKey> {
  const existing = await loadKey(home, storeFile);
  if (existing) return existing;
  await fsStep("create", home.dir, () => mkdirSync(home.dir, { recursive: true, mode: 0o700 }));
  return fsStep("create the secret store key in", home.dir, () =>
    withLock(join(home.dir, "store-key"), "the secret store key", async () => {
      sweepKeyTemps(home);
      const again = await loadKey(home, storeFile);
      if (again) return again;
      const identity = await newIdentity();
      const parsed = await parseIdentity(identity, "a new key", restoreFix());
      const { location, fallback } = await place(home, identity, keychainWanted());
      writeRecord(home, location, parsed.recipient);
      const where = describeLocation(location);
      notify({
        event: "secret-store-key-created",
        where,
        text: `created the secret store key in ${where}${fallback ? ` (not in the keychain: ${fallback})` : ""}; back it up now with \`devstack secrets key --export FILE\`: without it the stores cannot be read`,
      });
      return { ...parsed, where, location };
    }),
  );
}

/** Writes a backup of the key to a new file (0600); refuses a file that exists. */
export async function exportKey(home: KeyHome, target: string): Promise<LoadedKey> {
  const key = await loadKey(home);
  if (!key) throw new DevstackError("there is no secret store key yet", { fix: "it is made with the first store: run `devstack secrets sync`, then export it" });
  let fd: number;
  try {
    fd = openSync(target, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new UsageError(`${target} exists; a key backup never overwrites a file`, "name a file that does not exist yet");
    return fsStep("write the key backup", target, () => {
      throw error;
    });
  }
  await fsStep("write the key backup", target, () => {
    try {
      writeSync(fd, identityFileText(key.identity));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
  return key;
}

/** The key's text for a backup piped elsewhere (never to a terminal: the command checks). */
export async function keyText(home: KeyHome): Promise<string> {
  const key = await loadKey(home);
  if (!key) throw new DevstackError("there is no secret store key yet", { fix: "it is made with the first store: run `devstack secrets sync`, then export it" });
  return identityFileText(key.identity);
}

async function opensStores(home: KeyHome, identity: string): Promise<string | undefined> {
  const { Decrypter } = await import("age-encryption");
  for (const store of home.existingStores()) {
    if (!store.endsWith(".age")) continue;
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    try {
      await decrypter.decrypt(readFileSync(store), "text");
    } catch (error) {
      if (/no identity matched/i.test((error as Error).message)) return store;
    }
  }
  return undefined;
}

/** Restores a key from a backup, after checking it is the key the stores need. */
export async function importKey(home: KeyHome, source: string): Promise<{ key: LoadedKey; changed: boolean }> {
  const text = await fsStep("read the key backup", source, () => readFileSync(source, "utf8"));
  const incoming = await parseIdentity(text, source, "name the file `devstack secrets key --export` wrote");
  return fsStep("import the secret store key into", home.dir, async () => {
    mkdirSync(home.dir, { recursive: true, mode: 0o700 });
    return withLock(join(home.dir, "store-key"), "the secret store key", async () => {
      const current = await loadKey(home).catch(() => undefined);
      if (current?.recipient === incoming.recipient) return { key: current, changed: false };
      if (current) {
        throw new UsageError(`a different secret store key is in place (${current.where}) and opens the stores; importing ${source} would lock them out`, "keep the current key; to replace it, first `devstack secrets key --start-over` (which sets the old stores aside with their key)");
      }
      const record = readRecord(home);
      if (record && record.recipient !== incoming.recipient) {
        throw new DevstackError(`${source} is not the key that encrypted the stores: its public key is ${incoming.recipient}, the stores' is ${record.recipient}`, { fix: `import the backup of the key with public key ${record.recipient}` });
      }
      const refused = await opensStores(home, incoming.identity);
      if (refused) throw new DevstackError(`${source} does not open ${refused}: it is not the key that encrypted it`, { fix: "import the backup of the key that encrypted the stores" });
      if (existsSync(home.keyFile)) renameSync(home.keyFile, `${home.keyFile}.damaged-${Date.now()}`);
      const { location } = await place(home, incoming.identity, record ? record.where === "keychain" : keychainWanted());
      writeRecord(home, location, incoming.recipient, record?.createdAt);
      return { key: { ...incoming, where: describeLocation(location), location }, changed: true };
    });
  });
}

/** Moves the key between the keychain and the file: new place, then record, then the old place goes. */
export async function moveKey(home: KeyHome, to: "keychain" | "file"): Promise<{ key: LoadedKey; changed: boolean }> {
  return fsStep("move the secret store key in", home.dir, () =>
    withLock(join(home.dir, "store-key"), "the secret store key", async () => {
      const key = await loadKey(home);
      if (!key) throw new DevstackError("there is no secret store key yet", { fix: "it is made with the first store: run `devstack secrets sync`" });
      if (key.location.kind === to) return { key, changed: false };
      const record = readRecord(home);
      let location: KeyLocation;
      if (to === "keychain") {
        const unreachable = keychainUnreachable();
        if (unreachable) throw new DevstackError(`cannot move the key to the keychain: ${unreachable}`, { fix: "run the command in a session where your keychain is unlocked" });
        const entry = keychainEntry();
        await keychainSet(entry, key.identity);
        location = { kind: "keychain", entry };
      } else {
        if (existsSync(home.keyFile)) renameSync(home.keyFile, `${home.keyFile}.old-${Date.now()}`);
        writeKeyFile(home.keyFile, key.identity);
        location = { kind: "file", path: home.keyFile };
      }
      writeRecord(home, location, key.recipient, record?.createdAt);
      if (key.location.kind === "file") rmSync(key.location.path, { force: true });
      else await keychainDelete(key.location.entry);
      return { key: { ...key, where: describeLocation(location), location }, changed: true };
    }),
  );
}

/**
 * For a lost or unwanted key: sets the key, its record, every store and
 * marker aside in one directory (nothing is deleted), so the next run starts
 * fresh. A keychain entry's text is kept there in a 0600 file.
 */
export async function startOver(home: KeyHome): Promise<{ aside: string; moved: string[] }> {
  return fsStep("set the secret stores aside in", home.dir, () =>
    withLock(join(home.dir, "store-key"), "the secret store key", async () => {
      const aside = join(home.dir, `stores-set-aside-${new Date().toISOString().replace(/[:.]/g, "-")}`);
      mkdirSync(aside, { recursive: true, mode: 0o700 });
      let record: KeyRecord | undefined;
      try {
        record = readRecord(home);
      } catch {
        record = undefined;
      }
      const moved: string[] = [];
      for (const path of [home.storesDir, home.markersDir, home.keyFile, home.recordFile]) {
        if (!existsSync(path)) continue;
        renameSync(path, join(aside, path.slice(home.dir.length + 1)));
        moved.push(path);
      }
      if ((record?.where === "keychain" || keychainWanted()) && !keychainUnreachable()) {
        const entry = record ? recordEntry(record) : keychainEntry();
        const text = await keychainGet(entry).catch(() => undefined);
        if (text !== undefined) {
          writeDurable(join(aside, "keychain-entry.txt"), text, { mode: 0o600 });
          await keychainDelete(entry);
          moved.push(describeEntry(entry));
        }
      }
      return { aside, moved };
    }),
  );
}

/** What `devstack secrets key` shows: where the key is and whether it loads, never the key. */
export async function keyStatus(home: KeyHome): Promise<{ state: "ok" | "none" | "broken"; where: string; kind: "file" | "keychain" | null; recipient: string | null; createdAt: string | null; problem: string | null; fix: string | null; stores: string[] }> {
  const stores = home.existingStores().filter((s) => s.endsWith(".age"));
  let record: KeyRecord | undefined;
  try {
    record = readRecord(home);
  } catch {
    record = undefined;
  }
  const base = { createdAt: record?.createdAt ?? null, stores };
  try {
    const key = await loadKey(home);
    if (!key) return { state: "none", where: keychainWanted() && !keychainUnreachable() ? describeEntry(keychainEntry()) : home.keyFile, kind: null, recipient: null, problem: null, fix: null, ...base };
    return { state: "ok", where: key.where, kind: key.location.kind, recipient: key.recipient, problem: null, fix: null, ...base };
  } catch (error) {
    const e = error as DevstackError;
    const where = record?.where === "keychain" ? describeEntry(recordEntry(record)) : home.keyFile;
    return { state: "broken", where, kind: record?.where ?? null, recipient: record?.recipient ?? null, problem: e.message, fix: e.fix ?? null, ...base };
  }
}

