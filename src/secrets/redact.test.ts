import { describe, expect, it } from "vitest";
import { Redactor } from "./redact.js";

describe("Redactor", () => {
  const secret = "s3cr3t/value+with=chars";
  const r = new Redactor();
  r.add("API_KEY", secret);
  r.add("PEM", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBjkqZGz1TLbDOmnKRtTzN1PuO0jNFRhg9LzEVtZ9F7x\n-----END PRIVATE KEY-----\n");
  r.add("SHORT", "abc");

  it("replaces the plain value and its encodings", () => {
    for (const form of [secret, Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url"), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      expect(r.redact(`before ${form} after`)).toBe("before [secret:API_KEY] after");
    }
  });

  it("replaces each line of a key when it is printed in pieces", () => {
    expect(r.redact("line: MC4CAQAwBQYDK2VwBCIEIBjkqZGz1TLbDOmnKRtTzN1PuO0jNFRhg9LzEVtZ9F7x")).toBe("line: [secret:PEM]");
  });

  it("ignores values too short to be secrets and leaves other text alone", () => {
    expect(r.redact("abc is fine")).toBe("abc is fine");
  });
});
