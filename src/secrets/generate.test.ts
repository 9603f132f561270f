import { createPrivateKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generate } from "./generate.js";

describe("generate", () => {
  it("draws random strings of the recipe's length from its alphabet", () => {
    const value = generate({ type: "random", length: 48, alphabet: "alphanumeric" });
    expect(value).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(generate({ type: "random", length: 12, alphabet: "numeric" })).toMatch(/^[0-9]{12}$/);
    expect(generate({ type: "random", length: 64, alphabet: "url-safe" })).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it("never repeats a value", () => {
    const values = new Set(Array.from({ length: 200 }, () => generate({ type: "random", length: 16, alphabet: "alphanumeric" })));
    expect(values.size).toBe(200);
  });

  it("encodes random bytes as hex and base64url", () => {
    expect(generate({ type: "hex", bytes: 32 })).toMatch(/^[0-9a-f]{64}$/);
    expect(generate({ type: "base64url", bytes: 32 })).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("makes private keys that crypto can load", () => {
    for (const algorithm of ["ed25519", "ecdsa-p256", "rsa-2048"] as const) {
      const pem = generate({ type: "keypair", algorithm });
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(createPrivateKey(pem).asymmetricKeyType).toBe(algorithm === "ecdsa-p256" ? "ec" : algorithm === "rsa-2048" ? "rsa" : "ed25519");
    }
  });

  it("uses every character of an alphabet (no modulo bias toward a prefix)", () => {
    const seen = new Set(generate({ type: "random", length: 4000, alphabet: "hex" }));
    expect(seen.size).toBe(16);
  });
});
