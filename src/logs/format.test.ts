import { describe, expect, it } from "vitest";
import { formatLine } from "./format.js";

const at = new Date("2026-11-26T12:00:00.123Z");

describe("formatLine", () => {
  it("aligns time, level and component, then the message and the other fields", () => {
    const line = formatLine({ timeNs: "1", time: at, labels: { component: "web", level: "error" }, line: '{"time":"x","level":"error","msg":"request failed","path":"/boom","status":500}' }, false);
    expect(line).toBe('2026-11-26 12:00:00.123  error  web           request failed  path=/boom status=500');
  });

  it("prints lines that are not JSON as they are", () => {
    expect(formatLine({ timeNs: "1", time: at, labels: { level: "info" }, line: "plain text" }, false)).toBe("2026-11-26 12:00:00.123  info                 plain text");
  });
});
