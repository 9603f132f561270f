import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DevstackError } from "../errors.js";
import { userDirs } from "../fs/paths.js";
import { scrubKey } from "./identity.js";

// The OS keychain (macOS Keychain, the Secret Service on Linux, Windows
// Credential Manager) through @napi-rs/keyring, loaded only when a key is
// actually read or written there.

const SERVICE = "devstack";

export interface KeychainEntry {
  service: string;
  account: string;
}

/** One entry per config directory, so DEVSTACK_HOME (tests, a second setup) never shares a key by accident. */
export function keychainEntry(): KeychainEntry {
  return { service: SERVICE, account: `store-key:${userDirs().config}` };
}

export function describeEntry(entry: KeychainEntry): string {
  return `the ${keychainName()} entry ${entry.service}/${entry.account}`;
}

function keychainName(): string {
  if (process.platform === "darwin") return "macOS Keychain";
  if (process.platform === "win32") return "Windows Credential Manager";
  return "Secret Service keyring";
}

/**
 * Whether new keys go to the keychain. DEVSTACK_KEYCHAIN=on|off decides;
 * unset, the keychain is used unless DEVSTACK_HOME moves devstack's files
 * (tests and throwaway setups then keep out of the user's real keychain).
 */
export function keychainWanted(): boolean {
  const setting = process.env.DEVSTACK_KEYCHAIN?.toLowerCase();
  if (setting === "on" || setting === "1" || setting === "true") return true;
  if (setting === "off" || setting === "0" || setting === "false") return false;
  return !process.env.DEVSTACK_HOME;
}

/**
 * Why this session cannot reach a keychain, or undefined when it can. On
 * Linux the library falls back to the kernel keyring when no Secret Service
 * answers — which forgets everything at logout or reboot — so without a
 * session bus the keychain counts as absent.
 */
export function keychainUnreachable(): string | undefined {
  if (process.platform === "darwin" || process.platform === "win32") return undefined;
  if (process.env.DBUS_SESSION_BUS_ADDRESS) return undefined;
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime && existsSync(join(runtime, "bus"))) return undefined;
  return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset), so no Secret Service";
}

class KeychainError extends DevstackError {
  constructor(what: string, entry: KeychainEntry, error: unknown) {
    const reason = scrubKey(String((error as Error)?.message ?? error).split("\n")[0] ?? "");
    super(`cannot ${what} ${describeEntry(entry)}: ${reason}`, {
      fix:
        process.platform === "linux"
          ? "unlock your keyring (log in to the desktop session, or start one: `dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock; …'`), or keep the key in a file: DEVSTACK_KEYCHAIN=off"
          : "unlock the keychain and allow devstack to use it, or keep the key in a file: DEVSTACK_KEYCHAIN=off",
      kind: "secrets",
    });
    this.name = "KeychainError";
  }
}

type EntryClass = typeof import("@napi-rs/keyring").Entry;

async function entryClass(): Promise<EntryClass> {
  return (await import("@napi-rs/keyring")).Entry;
}

async function open(entry: KeychainEntry, what: string) {
  const Entry = await entryClass();
  try {
    return new Entry(entry.service, entry.account);
  } catch (error) {
    throw new KeychainError(what, entry, error);
  }
}

export async function keychainGet(entry: KeychainEntry): Promise<string | undefined> {
  const handle = await open(entry, "read");
  try {
    return handle.getPassword() ?? undefined;
  } catch (error) {
    throw new KeychainError("read", entry, error);
  }
}

/** The kernel keyring the library falls back to on Linux holds an entry under this description. */
function inKernelKeyring(entry: KeychainEntry): boolean {
  if (process.platform !== "linux") return false;
  try {
    return readFileSync("/proc/keys", "utf8").includes(`keyring:${entry.account}@${entry.service}`);
  } catch {
    return false;
  }
}

/** Stores the value and reads it back; refuses a store that would not outlive the session. */
export async function keychainSet(entry: KeychainEntry, value: string): Promise<void> {
  const handle = await open(entry, "write");
  try {
    handle.setPassword(value);
  } catch (error) {
    throw new KeychainError("write", entry, error);
  }
  if (inKernelKeyring(entry)) {
    try {
      handle.deleteCredential();
    } catch {
      // The kernel keyring forgets it at logout anyway.
    }
    throw new KeychainError("write", entry, "only the kernel keyring answered, which forgets its keys at logout");
  }
  let back: string | undefined;
  try {
    back = handle.getPassword() ?? undefined;
  } catch (error) {
    throw new KeychainError("read back", entry, error);
  }
  if (back !== value) throw new KeychainError("read back", entry, "the keychain returned something else than was stored");
}

export async function keychainDelete(entry: KeychainEntry): Promise<void> {
  const handle = await open(entry, "delete");
  try {
    handle.deleteCredential();
  } catch (error) {
    throw new KeychainError("delete", entry, error);
  }
}
