import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

describe("the package's entry points", () => {
  it("exports the library and devstack/testing by name", () => {
    // Resolved by package name, through package.json "exports", as a user's code would.
    const script = `const lib = await import("devstack"); const t = await import("devstack/testing");
      console.log(JSON.stringify([typeof lib.loadConfig, typeof lib.jsonSchema, typeof t.resolveProject]));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual(["function", "function", "function"]);
  });
});
