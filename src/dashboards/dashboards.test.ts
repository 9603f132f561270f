import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { platformValues } from "../charts/platform-values.js";
import { loadConfig } from "../config/resolve.js";
import { ACCESS_LOG_FIELDS, dashboards, TRAEFIK_SERVICE_NAME } from "./dashboards.js";

const ROOT = join(import.meta.dirname, "..", "..");
const config = loadConfig({ cwd: join(ROOT, "examples", "hello"), profile: "local" });

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

/** The labels the Alloy pipeline devstack ships really sets: relabel targets and stage.labels keys. */
function alloyLabels(): Set<string> {
  const values = parse(readFileSync(join(ROOT, "charts", "platform", "values.yaml"), "utf8")) as { alloy: { alloy: { configMap: { content: string } } } };
  const content = values.alloy.alloy.configMap.content;
  const labels = new Set([...content.matchAll(/target_label\s*=\s*"([^"]+)"/g)].map((m) => m[1] as string));
  for (const block of content.matchAll(/stage\.labels\s*\{[^}]*values\s*=\s*\{([^}]*)\}/g)) {
    for (const m of (block[1] as string).matchAll(/(\w+)\s*=/g)) labels.add(m[1] as string);
  }
  return labels;
}

const exprs = () => {
  const all = dashboards(config);
  return Object.values(all).flatMap((d) => [...d.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...d.annotations.list.map((a) => a.expr)]);
};

describe("dashboards", () => {
  const all = dashboards(config);

  it("has traffic, errors and user activity, each with deploy annotations", () => {
    expect(Object.keys(all)).toEqual(["traffic", "errors", "activity"]);
    for (const d of Object.values(all)) {
      expect(d.uid).toMatch(/^hello-/);
      expect(d.annotations.list[0]?.expr).toBe('{app="hello", environment="$env", component="devstack-deploy"} | json');
    }
  });

  it("has a component variable over the component label, which every app panel filters on", () => {
    const variable = all.errors.templating.list.find((v) => v.name === "component");
    expect(variable?.query).toEqual({ label: "component", stream: '{app="hello", environment="$env"}', type: 1 });
    expect(variable).toMatchObject({ multi: true, includeAll: true, allValue: ".+" });
    for (const d of [all.errors, all.activity]) for (const p of d.panels) for (const t of p.targets) expect(t.expr).toContain('component=~"$component"');
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

  it("selects streams only by labels the shipped Alloy pipeline sets", () => {
    const labels = alloyLabels();
    expect(labels).toEqual(new Set(["namespace", "container", "environment", "app", "component", "service_name", "level"]));
    for (const expr of exprs()) {
      for (const selector of expr.matchAll(/\{([^{}]*)\}/g)) {
        // Grafana's legend templates ({{x}}) are not stream selectors.
        if ((selector[1] as string).startsWith("{")) continue;
        for (const m of (selector[1] as string).matchAll(/(\w+)\s*(=~|!=|!~|=)/g)) expect(labels, `${m[1]} in ${expr}`).toContain(m[1]);
      }
    }
  });

  it("finds Traefik by service_name, not by a container name either chart chooses", () => {
    const traffic = all.traffic.panels.flatMap((p) => p.targets.map((t) => t.expr));
    for (const expr of traffic) {
      expect(expr).toContain(`{service_name="${TRAEFIK_SERVICE_NAME}"}`);
      expect(expr).not.toMatch(/container=/);
    }
  });

  it("reads only fields Traefik's JSON access log writes", () => {
    // A line of Traefik's JSON access log with its default fields (names from its accesslog package).
    const line = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "traefik", "access-log.json"), "utf8")) as Record<string, unknown>;
    for (const field of ACCESS_LOG_FIELDS) expect(Object.keys(line)).toContain(field);
    const traffic = all.traffic.panels.flatMap((p) => p.targets.map((t) => t.expr)).join("\n");
    const used = new Set([...traffic.matchAll(/\b(Request\w+|Downstream\w+|Duration|Origin\w+)\b/g)].map((m) => m[1] as string));
    expect([...used].sort()).toEqual([...ACCESS_LOG_FIELDS].sort());
  });

  it("round-trips through JSON as Grafana provisions it from the platform's ConfigMap", () => {
    const values = platformValues(config);
    for (const [name, json] of Object.entries(values.dashboards)) expect((JSON.parse(json) as { uid: string }).uid).toBe(`hello-${name}`);
  });
});
