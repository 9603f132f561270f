import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contextFiles, contextHash } from "./context-hash.js";

const dir = mkdtempSync(join(tmpdir(), "devstack-ctx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "Dockerfile"), "FROM x\n");
writeFileSync(join(dir, ".dockerignore"), "node_modules\n*.log\n");
mkdirSync(join(dir, "src"));
mkdirSync(join(dir, "node_modules", "pkg"), { recursive: true });
writeFileSync(join(dir, "src", "a.js"), "a");
writeFileSync(join(dir, "node_modules", "pkg", "index.js"), "x");
writeFileSync(join(dir, "debug.log"), "noise");

describe("the build context", () => {
  it("lists what Docker would send, honouring .dockerignore", async () => {
    expect(await contextFiles(dir)).toEqual([".dockerignore", "Dockerfile", "src/a.js"]);
  });

  it("hashes content, not noise", async () => {
    const before = await contextHash(dir, "Dockerfile");
    writeFileSync(join(dir, "debug.log"), "more noise");
    expect(await contextHash(dir, "Dockerfile")).toBe(before);
    writeFileSync(join(dir, "src", "a.js"), "b");
    const changed = await contextHash(dir, "Dockerfile");
    expect(changed).not.toBe(before);
    expect(await contextHash(dir, "Dockerfile", { target: "runtime" })).not.toBe(changed);
  });
});

describe("modes and links", () => {
  it("counts a file's mode and follows no link", async () => {
    const { chmodSync, symlinkSync } = await import("node:fs");
    const before = await contextHash(dir, "Dockerfile");
    chmodSync(join(dir, "src", "a.js"), 0o755);
    const executable = await contextHash(dir, "Dockerfile");
    expect(executable).not.toBe(before);
    symlinkSync("src", join(dir, "linked-dir"));
    expect(await contextFiles(dir)).toContain("linked-dir");
    expect(await contextHash(dir, "Dockerfile")).not.toBe(executable);
  });
});
