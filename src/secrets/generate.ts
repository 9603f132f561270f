import { generateKeyPair, randomBytes, randomInt } from "node:crypto";
import { promisify } from "node:util";
import type { StoredValue } from "./model.js";

const ALPHABETS: Record<string, string> = {
  alphanumeric: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
  alpha: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
  numeric: "0123456789",
  hex: "0123456789abcdef",
  "url-safe": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
  "ascii-printable": Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join(""),
};

/**
 * A new value from a recipe, from the OS's CSPRNG; randomInt draws without
 * modulo bias. Key pairs are made on libuv's thread pool: an RSA-4096 key
 * takes seconds, and the event loop (timers, lock upkeep, signals) keeps
 * running meanwhile.
 */
export async function generate(recipe: NonNullable<StoredValue["recipe"]>): Promise<string> {
  switch (recipe.type) {
    case "fixed":
      return recipe.value;
    case "random": {
      const alphabet = ALPHABETS[recipe.alphabet] as string;
      let out = "";
      for (let i = 0; i < recipe.length; i++) out += alphabet[randomInt(alphabet.length)];
      return out;
    }
    case "hex":
      return randomBytes(recipe.bytes).toString("hex");
    case "base64url":
      return randomBytes(recipe.bytes).toString("base64url");
    case "keypair":
      return keyPair(recipe.algorithm);
  }
}

const generateKeyPairAsync = promisify(generateKeyPair);

async function keyPair(algorithm: "ed25519" | "ecdsa-p256" | "rsa-2048" | "rsa-4096"): Promise<string> {
  const publicKeyEncoding = { type: "spki", format: "pem" } as const;
  const privateKeyEncoding = { type: "pkcs8", format: "pem" } as const;
  switch (algorithm) {
    case "ed25519":
      return (await generateKeyPairAsync("ed25519", { publicKeyEncoding, privateKeyEncoding })).privateKey;
    case "ecdsa-p256":
      return (await generateKeyPairAsync("ec", { namedCurve: "P-256", publicKeyEncoding, privateKeyEncoding })).privateKey;
    case "rsa-2048":
      return (await generateKeyPairAsync("rsa", { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding })).privateKey;
    case "rsa-4096":
      return (await generateKeyPairAsync("rsa", { modulusLength: 4096, publicKeyEncoding, privateKeyEncoding })).privateKey;
  }
}
