import { describe, expect, it } from "vitest";
import { buildLogQL, parseTime } from "./logql.js";

describe("buildLogQL", () => {
  it("selects the app in its environment", () => {
    expect(buildLogQL({ app: "hello", environment: "prod" })).toBe('{app="hello", environment="prod"}');
  });

  it("selects several components at once, as an alert over some of the product's does", () => {
    expect(buildLogQL({ app: "shop", environment: "prod", components: ["api", "worker"] })).toBe('{app="shop", environment="prod", component=~"api|worker"}');
    expect(buildLogQL({ app: "shop", environment: "prod", components: ["api"] })).toBe('{app="shop", environment="prod", component="api"}');
  });

  it("takes a level and everything worse, a component and a line filter", () => {
    expect(buildLogQL({ app: "hello", environment: "local", level: "warn", component: "job-cleanup", grep: 'payment "failed"' })).toBe(
      '{app="hello", environment="local", level=~"warn|error|fatal", component="job-cleanup"} |= "payment \\"failed\\""',
    );
    expect(buildLogQL({ app: "hello", environment: "local", level: "fatal" })).toBe('{app="hello", environment="local", level="fatal"}');
  });

  it("refuses a level that is not one", () => {
    expect(() => buildLogQL({ app: "a", environment: "b", level: "loud" })).toThrow(/--level loud is not a level/);
  });
});

describe("parseTime", () => {
  const now = new Date("2026-11-26T12:00:00Z");
  it("reads durations back from now and ISO timestamps", () => {
    expect(parseTime("15m", now).toISOString()).toBe("2026-11-26T11:45:00.000Z");
    expect(parseTime("2d", now).toISOString()).toBe("2026-11-24T12:00:00.000Z");
    expect(parseTime("2026-11-26T10:00:00Z", now).toISOString()).toBe("2026-11-26T10:00:00.000Z");
    expect(() => parseTime("yesterday", now)).toThrow(/neither a duration/);
  });
});
