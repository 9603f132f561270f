import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError, UsageError } from "../errors.js";
import { ALERT_LABEL } from "./rules.js";

/**
 * Pushes an alert shaped exactly like the Loki rule's to Alertmanager's API,
 * so the route, grouping and e-mail are proven end to end without waiting for
 * an error burst.
 */
export async function sendSyntheticAlert(alertmanagerUrl: string, config: Pick<ResolvedConfig, "app" | "profileName">, name: string): Promise<void> {
  const alert = config.app.alerts[name];
  if (!alert) {
    const names = Object.keys(config.app.alerts);
    throw new UsageError(`no alert named ${name} in devstack.yaml`, names.length ? `declared: ${names.join(", ")}` : "declare one under alerts:");
  }
  const body = [
    {
      labels: { alertname: name, [ALERT_LABEL]: name, app: config.app.name, environment: config.profileName, severity: alert.level, msg: `devstack alerts test ${name}` },
      annotations: { summary: `synthetic ${name} alert sent by \`devstack alerts test\``, description: "if this arrived, the route from Alertmanager to your inbox works" },
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 5 * 60_000).toISOString(),
    },
  ];
  const res = await fetch(`${alertmanagerUrl.replace(/\/$/, "")}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new DevstackError(`Alertmanager refused the alert: ${res.status} ${await res.text()}`, { fix: "`devstack status` shows whether the platform runs" });
}
