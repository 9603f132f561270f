import { describe, expect, it } from "vitest";
import { runForwarding, shellExitCode } from "./child.js";

describe("children", () => {
  it("report exit codes as a shell does: 128 + the signal's number", () => {
    expect(shellExitCode(3, null)).toBe(3);
    expect(shellExitCode(null, "SIGTERM")).toBe(143);
    expect(shellExitCode(null, "SIGKILL")).toBe(137);
    expect(shellExitCode(null, "SIGINT")).toBe(130);
  });

  it("get the environment given, and end with their own code or signal", async () => {
    expect(await runForwarding([process.execPath, "-e", "process.exit(process.env.ONLY_HERE === 'yes' ? 7 : 1)"], { ...process.env, ONLY_HERE: "yes" })).toBe(7);
    expect(await runForwarding([process.execPath, "-e", "process.kill(process.pid, 'SIGTERM')"], process.env)).toBe(143);
  });
});
