import { DevstackError } from "../errors.js";

// The age library puts the whole identity string into its errors ("Invalid
// checksum in AGE-SECRET-KEY-1…"). Nothing that reads a key may let a
// library's message out: every failure here is described by where the key
// lives and what kind of damage it has, never by what it holds.

/** Bech32's alphabet: a well-formed age secret key is the prefix plus these. */
const SECRET_KEY = /^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$/;
const KEY_ANYWHERE = /AGE-SECRET-KEY-[0-9A-Z]*/gi;

/** Removes anything shaped like an age secret key from text that came from a library or the OS. */
export function scrubKey(text: string): string {
  return text.replace(KEY_ANYWHERE, "[store key]");
}

/** A key as loaded: the identity for age, and where it came from, for messages. */
export interface StoreIdentity {
  identity: string;
  recipient: string;
  where: string;
}

export class DamagedKeyError extends DevstackError {
  constructor(where: string, damage: string, fix: string) {
    super(`the secret store key in ${where} ${damage}`, { fix });
    this.name = "DamagedKeyError";
  }
}

function describeForeign(line: string): string {
  if (/^age1[0-9a-z]+$/.test(line)) return "holds an age public key (a recipient), not the secret key";
  if (/^-----BEGIN /.test(line)) return "holds a PEM block, not an age secret key";
  if (/^(ssh-|ecdsa-sha2-|sk-ssh-)/.test(line)) return "holds an SSH key, not an age secret key";
  if (/^AGE-PLUGIN-/i.test(line)) return "holds an age plugin identity, which devstack does not use";
  if (/^age-secret-key-1/.test(line)) return "holds a lower-case age key: the character case was changed";
  return "holds no age secret key";
}

/**
 * The one age secret key in a key file's text (comments and blank lines
 * aside), checked for shape and checksum by deriving its public key.
 */
export async function parseIdentity(text: string, where: string, restoreFix: string): Promise<StoreIdentity> {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  if (lines.length === 0) throw new DamagedKeyError(where, text.trim() === "" ? "is empty" : "holds no age secret key, only comments (was it cut short?)", restoreFix);
  const keys = lines.filter((l) => l.startsWith("AGE-SECRET-KEY-"));
  if (keys.length === 0) throw new DamagedKeyError(where, describeForeign(lines[0] as string), restoreFix);
  if (keys.length > 1) throw new DamagedKeyError(where, `holds ${keys.length} age secret keys where devstack keeps one`, restoreFix);
  const identity = keys[0] as string;
  if (!SECRET_KEY.test(identity)) {
    const damage = identity.length < 74 ? "is cut short (characters are missing)" : identity.length > 74 ? "has extra characters" : "has characters an age key cannot contain";
    throw new DamagedKeyError(where, damage, restoreFix);
  }
  let recipient: string;
  try {
    const { identityToRecipient } = await import("age-encryption");
    recipient = await identityToRecipient(identity);
  } catch {
    throw new DamagedKeyError(where, "is damaged (its checksum does not match: a character was changed)", restoreFix);
  }
  return { identity, recipient, where };
}

export function identityFileText(identity: string): string {
  return `# devstack secret store key: without it the local stores cannot be read. Back it up; never commit it.\n${identity}\n`;
}

export async function newIdentity(): Promise<string> {
  const { generateX25519Identity } = await import("age-encryption");
  return generateX25519Identity();
}
