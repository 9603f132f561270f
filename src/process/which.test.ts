import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findExecutable } from "./which.js";

const dir = mkdtempSync(join(tmpdir(), "devstack-which-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("findExecutable", () => {
  it("finds bare names on PATH and paths as given, only when executable", () => {
    writeFileSync(join(dir, "tool"), "#!/bin/sh\n");
    chmodSync(join(dir, "tool"), 0o755);
    writeFileSync(join(dir, "plain"), "");
    const env = { PATH: `/nonexistent:${dir}` };
    expect(findExecutable("tool", env)).toBe(join(dir, "tool"));
    expect(findExecutable("plain", env)).toBeUndefined();
    expect(findExecutable("no-such-command-here", env)).toBeUndefined();
    expect(findExecutable("./tool", env, dir)).toBe(join(dir, "tool"));
    expect(findExecutable(join(dir, "plain"), env)).toBeUndefined();
    expect(findExecutable("node")).toBeDefined();
  });
});
