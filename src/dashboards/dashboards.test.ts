import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import { dashboards, grafanaDashboardValues } from "./dashboards.js";

const config = loadConfig({ cwd: join(import.meta.dirname, "..", "..", "examples", "hello"), profile: "local" });

function balanced(expr: string): boolean {
  const pairs: Record<string, string> = { ")": "(", "}": "{", "]": "[" };
  const stack: string[] = [];
  let quoted = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string;
    if (c === '"' && expr[i - 1] !== "\\") quoted = !quoted;
    if (quoted) continue;
    if ("({[".includes(c)) stack.push(c);
    if (pairs[c] && stack.pop() !== pairs[c]) return false;
  }
  return stack.length === 0 && !quoted;
}

describe("dashboards", () => {
  const all = dashboards(config);

  it("has traffic, errors and user activity, each with deploy annotations", () => {
    expect(Object.keys(all)).toEqual(["traffic", "errors", "activity"]);
    for (const d of Object.values(all)) {
      expect(d.uid).toMatch(/^hello-/);
      expect(d.annotations.list[0]?.expr).toBe('{app="hello", environment="$env", component="devstack-deploy"} | json');
    }
  });

  it("queries Loki with well-formed LogQL in every panel, laid out on a 24-column grid", () => {
    const panels = Object.values(all).flatMap((d) => d.panels);
    expect(panels.length).toBeGreaterThanOrEqual(8);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      for (const t of p.targets) {
        expect(balanced(t.expr), t.expr).toBe(true);
        expect(t.datasource.uid).toBe("loki");
      }
    }
    expect(JSON.stringify(all.traffic)).toContain('RequestHost=\\"hello.localhost\\"');
  });

  it("round-trips through JSON as Grafana provisions it", () => {
    const values = grafanaDashboardValues(config);
    for (const [name, d] of Object.entries(values.dashboards.devstack)) expect(JSON.parse(d.json).uid).toBe(`hello-${name}`);
  });
});
