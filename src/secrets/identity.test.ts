import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { describe, expect, it } from "vitest";
import { DamagedKeyError, parseIdentity, scrubKey } from "./identity.js";

const FIX = "restore it";

/** Every 8-character piece of the key's data part, for checking that no part of it is quoted. */
function pieces(identity: string): string[] {
  const data = identity.slice("AGE-SECRET-KEY-1".length);
  return Array.from({ length: data.length - 7 }, (_, i) => data.slice(i, i + 8).toLowerCase());
}

async function damage(text: string): Promise<DamagedKeyError> {
  return parseIdentity(text, "/home/u/.config/devstack/age-identity.txt", FIX).then(
    () => {
      throw new Error("expected the key to be refused");
    },
    (e: unknown) => e as DamagedKeyError,
  );
}

describe("reading an age secret key", () => {
  it("reads a key file with its comment and derives the public key", async () => {
    const identity = await generateX25519Identity();
    const parsed = await parseIdentity(`# comment\n\n${identity}\n`, "/k", FIX);
    expect(parsed).toEqual({ identity, recipient: await identityToRecipient(identity), where: "/k" });
  });

  it("describes every kind of damage by where and what, never quoting the key", async () => {
    const identity = await generateX25519Identity();
    const at = (i: number) => identity.slice(0, i) + (identity[i] === "Q" ? "P" : "Q") + identity.slice(i + 1);
    const cases: [string, string, RegExp][] = [
      ["flipped near the start", at(20), /is damaged \(its checksum does not match/],
      ["flipped in the middle", at(45), /is damaged \(its checksum does not match/],
      ["flipped at the end", at(73), /is damaged \(its checksum does not match/],
      ["a character the alphabet lacks", identity.slice(0, 30) + "B" + identity.slice(31), /has characters an age key cannot contain/],
      ["cut short", identity.slice(0, 50), /is cut short/],
      ["cut to the prefix", "AGE-SECRET-KEY-1", /is cut short/],
      ["extra characters", `${identity}QQ`, /has extra characters/],
      ["lower case", identity.toLowerCase(), /lower-case age key/],
      ["the public key instead", await identityToRecipient(identity), /holds an age public key/],
      ["a PEM key", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIH\n-----END PRIVATE KEY-----", /holds a PEM block/],
      ["an SSH key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI user@host", /holds an SSH key/],
      ["two keys", `${identity}\n${await generateX25519Identity()}`, /holds 2 age secret keys/],
      ["empty", "", /is empty/],
      ["only the comment", "# devstack secret store key: without it", /only comments/],
      ["binary", "\u0000\u00ff\u0001garbage", /holds no age secret key/],
    ];
    for (const [what, text, expected] of cases) {
      const error = await damage(text);
      expect(error, what).toBeInstanceOf(DamagedKeyError);
      expect(error.message, what).toMatch(expected);
      expect(error.message, what).toContain("/home/u/.config/devstack/age-identity.txt");
      expect(error.fix, what).toBe(FIX);
      const shown = `${error.message} ${error.stack} ${JSON.stringify(error)} ${String(error.cause ?? "")}`.toLowerCase();
      for (const piece of pieces(identity)) expect(shown, what).not.toContain(piece);
    }
  });

  it("scrubs anything key-shaped out of foreign messages", () => {
    expect(scrubKey("Invalid checksum in AGE-SECRET-KEY-1QQQQ9X8 and age-secret-key-1abc")).toBe("Invalid checksum in [store key] and [store key]");
  });
});
