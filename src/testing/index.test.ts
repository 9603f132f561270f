import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveProject } from "./index.js";

describe("devstack/testing", () => {
  it("resolves a project the way the CLI does", () => {
    const project = resolveProject({ cwd: join(import.meta.dirname, "..", "..", "examples", "hello"), profile: "prod" });
    expect(project).toMatchObject({ name: "hello", profile: "prod", url: "https://hello.example.com" });
    expect(project.env.PUBLIC_URL).toBe("https://hello.example.com");
  });
});
