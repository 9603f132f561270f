import { describe, expect, it } from "vitest";
import { thousands } from "./output.js";

describe("thousands", () => {
  it("groups digits as en-US does, without loading ICU", () => {
    for (const n of [0, 7, 999, 1000, 12345, 1234567, 1000000, -1234567, 1234.5, 5_000_000_000]) {
      expect(thousands(n)).toBe(n.toLocaleString("en-US", { maximumFractionDigits: 20 }));
    }
  });
});
