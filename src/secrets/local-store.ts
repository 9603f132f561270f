import { createHash } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DevstackError } from "../errors.js";
import { writeDurable } from "../fs/durable.js";
import { userDirs } from "../fs/paths.js";
import { GROUPS } from "./model.js";
import { applyChanges, emptySnapshot, type Change, type SecretStore, type Snapshot } from "./store.js";

interface StoreFile {
  version: 1;
  groups: Snapshot;
}

/** One identity per user, in its own 0600 file; created once, atomically, by whichever run comes first. */
export async function loadIdentity(path: string): Promise<string> {
  if (!existsSync(path)) {
    mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
    const { generateX25519Identity } = await import("age-encryption");
    const identity = await generateX25519Identity();
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, `# devstack secret store key: without it the local stores cannot be read\n${identity}\n`, { mode: 0o600 });
    try {
      linkSync(temp, path); // fails if another run created the key first; then theirs is used
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(temp, { force: true });
    }
  }
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new DevstackError(`the secret store key ${path} is readable by others (mode ${mode.toString(8)})`, { fix: `chmod 600 ${path}` });
  }
  const line = readFileSync(path, "utf8").split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-"));
  if (!line) throw new DevstackError(`${path} holds no age identity`, { fix: "restore the key file from your backup; without it the stores it encrypted cannot be read" });
  return line.trim();
}

export function projectId(appName: string, projectDir: string): string {
  return `${appName}-${createHash("sha256").update(projectDir).digest("hex").slice(0, 8)}`;
}

/** An age-encrypted file per project and profile under the user's config directory. */
export class LocalStore implements SecretStore {
  readonly kind = "local" as const;
  readonly location: string;
  private readonly keyPath: string;

  constructor(private readonly file: string, keyPath?: string) {
    this.location = file;
    this.keyPath = keyPath ?? join(userDirs().config, "age-identity.txt");
  }

  static forProject(appName: string, projectDir: string, profile: string): LocalStore {
    return new LocalStore(join(userDirs().config, "stores", projectId(appName, projectDir), `${profile}.age`));
  }

  async read(): Promise<Snapshot> {
    if (!existsSync(this.file)) return emptySnapshot();
    return this.decryptFile(this.file);
  }

  private async decryptFile(file: string): Promise<Snapshot> {
    const identity = await loadIdentity(this.keyPath);
    // Crypto and locking load only when a store is actually read or written: every command that merely resolves config stays fast.
    const { Decrypter } = await import("age-encryption");
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    let text: string;
    try {
      text = await decrypter.decrypt(readFileSync(file), "text");
    } catch (error) {
      throw this.unreadable(file, error as Error);
    }
    let parsed: StoreFile;
    try {
      parsed = JSON.parse(text) as StoreFile;
    } catch (error) {
      throw this.unreadable(file, error as Error);
    }
    const snapshot = emptySnapshot();
    for (const group of GROUPS) Object.assign(snapshot[group], parsed.groups?.[group] ?? {});
    return snapshot;
  }

  private unreadable(file: string, error: Error): DevstackError {
    if (/no identity matched/i.test(error.message)) {
      return new DevstackError(`cannot decrypt ${file}: it was encrypted for another key than ${this.keyPath}`, {
        fix: `restore the key that encrypted it to ${this.keyPath}; or move ${file} away to start over (generated secrets are made anew, external ones must be set again)`,
      });
    }
    const prev = `${file}.prev`;
    const fix = existsSync(prev)
      ? `the previous version is kept: \`cp ${prev} ${file}\` restores it (check it with \`devstack secrets ls\`)`
      : `move ${file} away to start over (generated secrets are made anew, external ones must be set again)`;
    return new DevstackError(`the secret store ${file} is damaged (${error.message})`, { fix });
  }

  async update(decide: (current: Snapshot) => Change[] | Promise<Change[]>): Promise<{ snapshot: Snapshot; applied: Change[] }> {
    mkdirSync(join(this.file, ".."), { recursive: true, mode: 0o700 });
    await loadIdentity(this.keyPath);
    const { default: lockfile } = await import("proper-lockfile");
    const release = await lockfile.lock(this.file, {
      realpath: false,
      stale: 10_000,
      retries: { retries: 200, minTimeout: 20, maxTimeout: 250 },
      // A run blocked longer than `stale` (e.g. generating RSA keys) finishes its write; the next run re-reads.
      onCompromised: () => undefined,
    });
    try {
      const current = await this.read();
      const changes = await decide(current);
      if (changes.length === 0) return { snapshot: current, applied: [] };
      const next = applyChanges(current, changes);
      await this.write(next);
      return { snapshot: next, applied: changes };
    } finally {
      await release();
    }
  }

  private async write(snapshot: Snapshot): Promise<void> {
    const identity = await loadIdentity(this.keyPath);
    const { Encrypter, identityToRecipient } = await import("age-encryption");
    const encrypter = new Encrypter();
    encrypter.addRecipient(await identityToRecipient(identity));
    const body: StoreFile = { version: 1, groups: snapshot };
    const encrypted = await encrypter.encrypt(JSON.stringify(body));
    writeDurable(this.file, encrypted, { mode: 0o600, keepPrevious: true });
  }
}
