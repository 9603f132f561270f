import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { skipWithout } from "../../test/support/engines.js";
import { loadConfig } from "../config/resolve.js";
import { alertmanagerConfig, SMTP_PASSWORD_FILE } from "./alertmanager.js";
import { alertExpr, lokiRules } from "./rules.js";

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");
const local = loadConfig({ cwd: HELLO, profile: "local" });
const prod = loadConfig({ cwd: HELLO, profile: "prod" });

describe("Loki rules from devstack.yaml", () => {
  it("counts matching lines over the window, by message", () => {
    expect(alertExpr(local, "error-burst")).toBe('sum by (msg) (count_over_time({app="hello", environment="local", level=~"error|fatal"} | json msg="msg" [5m])) >= 5');
    expect(alertExpr(prod, "payment-failures")).toBe('sum by (msg) (count_over_time({app="hello", environment="prod", level=~"error|fatal"} |= "payment failed" | json msg="msg" [1m])) >= 1');
  });

  it("writes one rule group, each rule labelled for its route", () => {
    const rules = parse(lokiRules(local)) as { groups: { rules: { alert: string; labels: Record<string, string> }[] }[] };
    expect(rules.groups[0]?.rules.map((r) => r.alert)).toEqual(["error-burst", "payment-failures"]);
    expect(rules.groups[0]?.rules[0]?.labels).toMatchObject({ devstack_alert: "error-burst", app: "hello", environment: "local" });
  });
});

describe("Alertmanager config from devstack.yaml", () => {
  it("routes each alert to its recipients, grouped by alert and message, with its repeat interval", () => {
    const am = parse(alertmanagerConfig(local)) as { global: Record<string, unknown>; route: { group_by: string[]; routes: { receiver: string; matchers: string[]; repeat_interval: string }[] }; receivers: { name: string; email_configs?: { to: string }[] }[] };
    expect(am.global).toEqual({ smtp_smarthost: "smtp.devstack-system.svc.cluster.local:1025", smtp_from: "alerts@localhost", smtp_require_tls: false });
    expect(am.route.group_by).toEqual(["alertname", "msg"]);
    expect(am.route.routes).toEqual([
      { receiver: "error-burst", matchers: ['devstack_alert="error-burst"'], repeat_interval: "4h" },
      { receiver: "payment-failures", matchers: ['devstack_alert="payment-failures"'], repeat_interval: "1h" },
    ]);
    expect(am.receivers.find((r) => r.name === "payment-failures")?.email_configs?.[0]?.to).toBe("payments@example.com, oncall@example.com");
  });

  it("uses the relay with its password in a file, never inline", () => {
    const text = alertmanagerConfig(prod);
    const am = parse(text) as { global: Record<string, unknown> };
    expect(am.global).toMatchObject({ smtp_smarthost: "email-smtp.eu-central-1.amazonaws.com:587", smtp_auth_username: "hello-prod-ses", smtp_auth_password_file: SMTP_PASSWORD_FILE, smtp_require_tls: true });
    expect(text).not.toMatch(/smtp_auth_password:/);
  });

  it.skipIf(skipWithout("amtool (prometheus-alertmanager)", spawnSync("amtool", ["--version"]).status !== 0))("passes amtool check-config (needs Debian's prometheus-alertmanager)", () => {
    const dir = mkdtempSync(join(tmpdir(), "devstack-am-"));
    for (const [name, config] of [["local", local], ["prod", prod]] as const) {
      const file = join(dir, `${name}.yml`);
      writeFileSync(file, alertmanagerConfig(config));
      const r = spawnSync("amtool", ["check-config", file], { encoding: "utf8" });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
