import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempHome } from "../../test/support/temp.js";
import { stackId } from "./ids.js";
import { applyRememberedPorts, explicitPortKeys, portsOfOtherStacks, readRememberedPorts, writeRememberedPorts } from "./ports.js";

const home = tempHome("devstack-ports-");

describe("remembered ports", () => {
  it("reads what was written, and nothing for a stack without any", () => {
    expect(readRememberedPorts("none-00000000")).toEqual({ ports: {}, defaults: {} });
    writeRememberedPorts("shop-11111111", { ports: { smtp: 21000, postgres: 5432 }, defaults: { smtp: 1025 } });
    expect(readRememberedPorts("shop-11111111")).toEqual({ ports: { smtp: 21000, postgres: 5432 }, defaults: { smtp: 1025 } });
  });

  it("lists the ports other stacks remembered, not the stack's own", () => {
    writeRememberedPorts("blog-22222222", { ports: { smtp: 1025 }, defaults: {} });
    expect([...portsOfOtherStacks("blog-22222222")].sort((x, y) => x - y)).toEqual([5432, 21000]);
    expect([...portsOfOtherStacks("shop-11111111")]).toEqual([1025]);
  });

  it("are applied over the profile's defaults, never over a port the profile writes out", () => {
    const profile = join(home, "local.yaml");
    writeFileSync(profile, "cluster:\n  type: k3s\nports:\n  postgres: 6543\n");
    expect([...explicitPortKeys(profile)]).toEqual(["postgres"]);
    const config = { app: { name: "web" }, projectDir: "/src/web", files: { profile }, profile: { ports: { smtp: 1025, postgres: 6543, redis: 6379 } as Record<string, number> } };
    writeRememberedPorts(stackId(config), { ports: { smtp: 23456, postgres: 5432 }, defaults: { smtp: 1025 } });
    applyRememberedPorts(config);
    expect(config.profile.ports).toEqual({ smtp: 23456, postgres: 6543, redis: 6379 });
    // An isolated instance of the same project is another stack: none of them.
    const instance = { ...config, instance: "t1", profile: { ports: { smtp: 1025 } as Record<string, number> } };
    applyRememberedPorts(instance);
    expect(instance.profile.ports.smtp).toBe(1025);
  });

  it("a profile without ports: writes none out; an unreadable one counts as none", () => {
    const profile = join(home, "bare.yaml");
    writeFileSync(profile, "cluster:\n  type: k3s\n");
    expect(explicitPortKeys(profile).size).toBe(0);
    expect(explicitPortKeys(join(home, "missing.yaml")).size).toBe(0);
  });
});
