import { describe, expect, it } from "vitest";
import { didYouMean } from "./suggest.js";

describe("didYouMean", () => {
  it("finds a close misspelling", () => {
    expect(didYouMean("prot", ["port", "health", "replicas"])).toBe("port");
    expect(didYouMean("Replicas", ["port", "replicas"])).toBe("replicas");
  });

  it("stays quiet when nothing is close", () => {
    expect(didYouMean("banana", ["port", "health"])).toBeUndefined();
  });

  it("does not treat numbers as typos", () => {
    expect(didYouMean("12", ["14", "15"])).toBeUndefined();
  });
});
