import { describe, expect, it } from "vitest";
import { resolveDuplicates } from "./duplicates.js";
import { LABEL_PROJECT } from "./names.js";

const net = (Id: string, Created: string, project: string | undefined, Name = "devstack-shop") => ({ Id, Name, Created, Labels: (project ? { [LABEL_PROJECT]: project } : {}) as Record<string, string> });

describe("resolveDuplicates", () => {
  it("keeps the only network", () => {
    const only = net("a", "2026-01-01T00:00:00Z", "shop");
    expect(resolveDuplicates([only], "devstack-shop", "shop")).toEqual({ keep: only, remove: [] });
  });

  it("keeps the oldest and removes the project's later ones", () => {
    const old = net("b", "2026-01-01T00:00:00.1Z", "shop");
    const young = net("a", "2026-01-01T00:00:00.2Z", "shop");
    expect(resolveDuplicates([young, old], "devstack-shop", "shop")).toEqual({ keep: old, remove: [young] });
  });

  it("breaks a tie by id, so every run picks the same one", () => {
    const x = net("x", "2026-01-01T00:00:00Z", "shop");
    const y = net("y", "2026-01-01T00:00:00Z", "shop");
    expect(resolveDuplicates([y, x], "devstack-shop", "shop").keep).toBe(x);
    expect(resolveDuplicates([x, y], "devstack-shop", "shop").keep).toBe(x);
  });

  it("ignores networks whose name only contains the stack's, and never removes one without the project's label", () => {
    const mine = net("a", "2026-01-02T00:00:00Z", "shop");
    const foreign = net("f", "2026-01-01T00:00:00Z", undefined);
    const longer = net("l", "2026-01-01T00:00:00Z", "shop", "devstack-shop-2");
    expect(resolveDuplicates([mine, foreign, longer], "devstack-shop", "shop")).toEqual({ keep: foreign, remove: [mine] });
  });

  it("finds nothing to keep when no network has the name", () => {
    expect(resolveDuplicates([], "devstack-shop", "shop")).toEqual({ keep: undefined, remove: [] });
  });
});
