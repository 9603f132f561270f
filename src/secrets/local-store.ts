import { randomBytes } from "node:crypto";
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { DevstackError } from "../errors.js";
import { faultPoint, pausePoint, writeDurable } from "../fs/durable.js";
import { projectId } from "../project/ids.js";
import { scrubKey } from "./identity.js";
import { KeyHome } from "./key-home.js";
import { GROUPS } from "./model.js";
import { notify } from "./notices.js";
import { fsStep } from "./store-errors.js";
import { loadKey, loadOrCreateKey, restoreFix, type LoadedKey } from "./store-key.js";
import { LockLostError, sweepDeadTemps, withLock, type HeldLock } from "./store-lock.js";
import { applyChanges, emptySnapshot, type Change, type SecretStore, type Snapshot } from "./store.js";

interface StoreFile {
  version: 1;
  groups: Snapshot;
}

interface Marker {
  store: string;
  recipient: string;
  createdAt: string;
}

function fsyncDir(dir: string): void {
  // Windows cannot open a directory to fsync it; its renames are durable without.
  if (process.platform === "win32") return;
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * An age-encrypted file per project and profile under the user's config
 * directory. Reads need no lock (a store is replaced whole, by rename);
 * writes are a short critical section — re-read, decide, write — under a
 * lock, so a decision is always made on the latest values.
 */
export class LocalStore implements SecretStore {
  readonly kind = "local" as const;
  readonly location: string;
  readonly home: KeyHome;

  constructor(
    private readonly file: string,
    home?: KeyHome | string,
  ) {
    this.location = file;
    this.home = home instanceof KeyHome ? home : home ? new KeyHome(home) : KeyHome.user();
  }

  static forProject(appName: string, projectDir: string, profile: string): LocalStore {
    const home = KeyHome.user();
    return new LocalStore(join(home.storesDir, projectId(appName, projectDir), `${profile}.age`), home);
  }

  get marker(): string {
    return this.home.markerFor(this.file);
  }

  private get prev(): string {
    return `${this.file}.prev`;
  }

  async read(): Promise<Snapshot> {
    return (await this.readState()).snapshot;
  }

  private async readState(known?: LoadedKey): Promise<{ snapshot: Snapshot; exists: boolean }> {
    // Only dead runs' files go, so no lock is needed: a run that reads and writes nothing still tidies up.
    this.sweep();
    if (!existsSync(this.file)) {
      if (existsSync(this.marker)) throw await this.lost();
      return { snapshot: emptySnapshot(), exists: false };
    }
    const key = known ?? (await loadKey(this.home, this.file));
    // loadKey reports a missing key as lost when a store exists; this is for the type checker.
    if (!key) throw new DevstackError(`no key for ${this.file}`, { fix: restoreFix() });
    return { snapshot: await this.decryptFile(this.file, key), exists: true };
  }

  private async decrypt(file: string, key: LoadedKey): Promise<Snapshot> {
    const bytes = await fsStep("read the secret store", file, () => readFileSync(file));
    if (bytes.length === 0) throw new StoreDamage("it is empty (0 bytes)");
    const { Decrypter } = await import("age-encryption");
    const decrypter = new Decrypter();
    decrypter.addIdentity(key.identity);
    let text: string;
    try {
      text = await decrypter.decrypt(bytes, "text");
    } catch (error) {
      const message = (error as Error).message;
      if (/no identity matched/i.test(message)) throw new WrongKey();
      throw new StoreDamage(`it is cut short or altered: ${scrubKey(message)}`);
    }
    let parsed: StoreFile;
    try {
      parsed = JSON.parse(text) as StoreFile;
    } catch {
      // JSON.parse's message quotes the text it choked on, which holds values: never shown.
      throw new StoreDamage("its decrypted content is not a devstack store");
    }
    if (typeof parsed !== "object" || parsed === null || typeof parsed.groups !== "object") throw new StoreDamage("its decrypted content is not a devstack store");
    const snapshot = emptySnapshot();
    for (const group of GROUPS) Object.assign(snapshot[group], parsed.groups?.[group] ?? {});
    return snapshot;
  }

  private async decryptFile(file: string, key: LoadedKey): Promise<Snapshot> {
    try {
      return await this.decrypt(file, key);
    } catch (error) {
      if (error instanceof WrongKey) {
        throw new DevstackError(`cannot decrypt ${file}: it was encrypted with another key than the one in ${key.where}`, {
          fix: `restore the key that encrypted it: \`devstack secrets key --import BACKUP_FILE\`; or, if ${file} came from elsewhere, move it away: \`mv ${file} ${file}.foreign && rm -f ${this.marker}\``,
        });
      }
      if (error instanceof StoreDamage) {
        const prevOk = file === this.file && (await this.readable(this.prev, key));
        throw new DevstackError(`the secret store ${file} is damaged: ${error.message}`, {
          fix: prevOk
            ? `the previous version is kept and readable: \`cp ${this.prev} ${file}\` restores it (check it with \`devstack secrets ls\`)`
            : `restore ${file} from a backup (its previous version ${this.prev} is ${existsSync(this.prev) ? "damaged too" : "missing"}); or start this profile over (generated values are made anew, external ones must be set again): \`mv ${file} ${file}.damaged && rm -f ${this.prev} ${this.marker}\``,
        });
      }
      throw error;
    }
  }

  private async readable(file: string, key: LoadedKey): Promise<boolean> {
    if (!existsSync(file)) return false;
    try {
      await this.decrypt(file, key);
      return true;
    } catch {
      return false;
    }
  }

  /** The store is gone but its marker says values were created: never regenerate them silently. */
  private async lost(): Promise<DevstackError> {
    let createdAt = "";
    try {
      createdAt = ` on ${(JSON.parse(readFileSync(this.marker, "utf8")) as Marker).createdAt}`;
    } catch {
      // The marker's presence is what counts.
    }
    const key = await loadKey(this.home, this.file).catch(() => undefined);
    const prevOk = key !== undefined && (await this.readable(this.prev, key));
    return new DevstackError(`the secret store ${this.file} is missing, but its values were created${createdAt} (${this.marker}); devstack does not make them anew by itself`, {
      fix: prevOk
        ? `its previous version is kept and readable: \`cp ${this.prev} ${this.file}\` restores it`
        : `restore ${this.file} from a backup; or, to make new values (external ones must be set again), remove the marker: \`rm ${this.marker}\``,
    });
  }

  async update(decide: (current: Snapshot) => Change[] | Promise<Change[]>): Promise<{ snapshot: Snapshot; applied: Change[] }> {
    // The key is found (or, in a fresh setup, made) before the store is locked: a keychain may ask the user first.
    const key = await loadOrCreateKey(this.home, this.file);
    for (let attempt = 0; ; attempt++) {
      try {
        return await fsStep("write the secret store", this.file, async () => {
          mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
          return withLock(`${this.file}.lock`, `the secret store ${this.file}`, async (lock) => {
            faultPoint("secrets:locked");
            await pausePoint("secrets:locked");
            this.sweep();
            const { snapshot: current, exists } = await this.readState(key);
            const changes = await decide(current);
            if (changes.length === 0) return { snapshot: current, applied: [] };
            const next = applyChanges(current, changes);
            await this.commit(next, exists, key, lock);
            return { snapshot: next, applied: changes };
          });
        });
      } catch (error) {
        if (error instanceof LockLostError && attempt < 5) continue;
        throw error;
      }
    }
  }

  /** Leftover temporary files of killed runs (they hold ciphertext only, but clutter). */
  private sweep(): void {
    sweepDeadTemps(this.file, /^(?:prev\.)?(\d+)(?:\.[0-9a-f]+)?\.tmp$/);
  }

  /**
   * The current version is first copied to .prev; the new one goes to a
   * temporary file that is fsynced, and is renamed over the store only if
   * this run still holds the lock.
   */
  private async commit(snapshot: Snapshot, exists: boolean, key: LoadedKey, lock: HeldLock): Promise<void> {
    const { Encrypter } = await import("age-encryption");
    const encrypter = new Encrypter();
    encrypter.addRecipient(key.recipient);
    const body: StoreFile = { version: 1, groups: snapshot };
    const encrypted = await encrypter.encrypt(JSON.stringify(body));
    const dir = dirname(this.file);
    const temps: string[] = [];
    try {
      if (exists) {
        const prevTemp = `${this.file}.prev.${process.pid}.tmp`;
        temps.push(prevTemp);
        copyFileSync(this.file, prevTemp);
        const fd = openSync(prevTemp, "r");
        fsyncSync(fd);
        closeSync(fd);
        renameSync(prevTemp, this.prev);
      }
      const temp = `${this.file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
      temps.push(temp);
      const fd = openSync(temp, "wx", 0o600);
      try {
        writeSync(fd, encrypted);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      lock.verify();
      faultPoint("durable:before-rename");
      renameSync(temp, this.file);
      fsyncDir(dir);
    } catch (error) {
      for (const temp of temps) rmSync(temp, { force: true });
      throw error;
    }
    if (!exists) {
      notify({ event: "secret-store-created", where: this.file, text: `created the secret store ${this.file}` });
    }
    if (!existsSync(this.marker)) {
      try {
        mkdirSync(this.home.markersDir, { recursive: true, mode: 0o700 });
        const marker: Marker = { store: this.file, recipient: key.recipient, createdAt: new Date().toISOString() };
        writeDurable(this.marker, `${JSON.stringify(marker, null, 2)}\n`, { mode: 0o600 });
      } catch {
        // The store itself now shows that values exist; the next write tries again.
      }
    }
  }

  /** Removes the store with its previous version, lock and marker (an isolated test stack's store). */
  remove(): void {
    for (const path of [this.file, this.prev, `${this.file}.lock`, this.marker]) rmSync(path, { force: true });
    const dir = dirname(this.file);
    try {
      if (statSync(dir).isDirectory() && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Already gone.
    }
  }
}

class WrongKey extends Error {}

class StoreDamage extends Error {}
