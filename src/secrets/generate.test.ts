import { createPrivateKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generate } from "./generate.js";

describe("generate", () => {
  it("draws random strings of the recipe's length from its alphabet", async () => {
    const value = await generate({ type: "random", length: 48, alphabet: "alphanumeric" });
    expect(value).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(await generate({ type: "random", length: 12, alphabet: "numeric" })).toMatch(/^[0-9]{12}$/);
    expect(await generate({ type: "random", length: 64, alphabet: "url-safe" })).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it("never repeats a value", async () => {
    const values = new Set(await Promise.all(Array.from({ length: 200 }, () => generate({ type: "random", length: 16, alphabet: "alphanumeric" }))));
    expect(values.size).toBe(200);
  });

  it("encodes random bytes as hex and base64url", async () => {
    expect(await generate({ type: "hex", bytes: 32 })).toMatch(/^[0-9a-f]{64}$/);
    expect(await generate({ type: "base64url", bytes: 32 })).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("makes private keys that crypto can load", async () => {
    for (const algorithm of ["ed25519", "ecdsa-p256", "rsa-2048"] as const) {
      const pem = await generate({ type: "keypair", algorithm });
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(createPrivateKey(pem).asymmetricKeyType).toBe(algorithm === "ecdsa-p256" ? "ec" : algorithm === "rsa-2048" ? "rsa" : "ed25519");
    }
  });

  it("makes RSA-4096 keys off the event loop: timers keep firing while they are generated", async () => {
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const started = performance.now();
    const keys = await Promise.all([1, 2, 3].map(() => generate({ type: "keypair", algorithm: "rsa-4096" })));
    const took = performance.now() - started;
    clearInterval(timer);
    expect(new Set(keys).size).toBe(3);
    expect(createPrivateKey(keys[0] as string).asymmetricKeyDetails?.modulusLength).toBe(4096);
    // Generation takes hundreds of milliseconds or more; the loop is never blocked for more than a fraction of that.
    expect(ticks).toBeGreaterThan(took / 10 / 4);
    expect(longestGap).toBeLessThan(250);
  }, 60_000);

  it("uses every character of an alphabet (no modulo bias toward a prefix)", async () => {
    const seen = new Set(await generate({ type: "random", length: 4000, alphabet: "hex" }));
    expect(seen.size).toBe(16);
  });
});
