import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MINIMUM_NODE, nodeTooOld, olderThan } from "./node-version.js";

describe("node version", () => {
  it("agrees with package.json's engines, which npm checks", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE}`);
  });

  it("compares numerically, part by part", () => {
    expect(olderThan("20.18.1")).toBe(true);
    expect(olderThan("v22.12.9")).toBe(true);
    expect(olderThan("22.13.0")).toBe(false);
    expect(olderThan("22.100.0")).toBe(false);
    expect(olderThan("24.0.0")).toBe(false);
    expect(olderThan("26.12.1-pre")).toBe(false);
    expect(olderThan("9.99.99", "10.0.0")).toBe(true);
  });

  it("names the version it found and the fix", () => {
    expect(nodeTooOld("v20.18.1")).toMatch(/needs Node\.js 22\.13\.0 or newer; this is Node\.js 20\.18\.1\.\nFix: install Node\.js 22/);
  });
});
