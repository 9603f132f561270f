import { goYaml } from "../config/go-yaml.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { buildLogQL } from "../logs/logql.js";
import { InternalError } from "../errors.js";

export const ALERT_LABEL = "devstack_alert";

/** The LogQL of one alert: matching lines counted over the window, by message, against the threshold. */
export function alertExpr(config: Pick<ResolvedConfig, "app" | "profileName">, name: string): string {
  const alert = config.app.alerts[name];
  if (!alert) throw new InternalError(`no alert ${name}`);
  const selector = buildLogQL({ app: config.app.name, environment: config.profileName, level: alert.level, ...(alert.match ? { grep: alert.match } : {}), ...(alert.components ? { components: alert.components } : {}) });
  return `sum by (msg) (count_over_time(${selector} | json msg="msg" [${alert.window}])) >= ${alert.threshold}`;
}

/** Loki ruler rules for every alert of devstack.yaml (Prometheus rule-file format, as Loki reads it). */
export function lokiRules(config: Pick<ResolvedConfig, "app" | "profileName">): string {
  const rules = Object.entries(config.app.alerts).map(([name, alert]) => ({
    alert: name,
    expr: alertExpr(config, name),
    labels: { [ALERT_LABEL]: name, app: config.app.name, environment: config.profileName, severity: alert.level },
    annotations: {
      summary: `${name}: ${alert.threshold}+ ${alert.level} lines in ${alert.window} from ${config.app.name} (${config.profileName})`,
      description: `{{ $value }} lines with message "{{ $labels.msg }}" in the last ${alert.window}`,
    },
  }));
  return goYaml({ groups: rules.length > 0 ? [{ name: `${config.app.name}-alerts`, interval: "30s", rules }] : [] });
}
