import { goYaml } from "../config/go-yaml.js";
import { LOCAL_SMTP } from "../project/names.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { ALERT_LABEL } from "./rules.js";

/** Where the SMTP relay password is mounted in Alertmanager: read from a file, never written into the config. */
export const SMTP_PASSWORD_FILE = "/etc/alertmanager/secrets/smtp-password";

export interface SmtpOverride {
  smarthost: string;
  from?: string;
}

/**
 * Alertmanager's config from the alerts of devstack.yaml: grouped by alert
 * and message, each alert's repeat interval, e-mail through the profile's
 * SMTP (the local sink, or a relay such as SES with its password in a file).
 */
export function alertmanagerConfig(config: Pick<ResolvedConfig, "app" | "profile" | "profileName">, smtp?: SmtpOverride): string {
  const relay = config.profile.smtp.type === "relay" ? config.profile.smtp : undefined;
  const global = relay
    ? {
        smtp_smarthost: `${relay.host}:${relay.port}`,
        smtp_from: relay.from,
        smtp_auth_username: relay.username,
        smtp_auth_password_file: SMTP_PASSWORD_FILE,
        smtp_require_tls: true,
      }
    : {
        smtp_smarthost: smtp?.smarthost ?? `${LOCAL_SMTP.host}:${LOCAL_SMTP.port}`,
        smtp_from: smtp?.from ?? `alerts@${config.profile.domain}`,
        smtp_require_tls: false,
      };
  const alerts = Object.entries(config.app.alerts);
  return goYaml({
    global,
    route: {
      receiver: "none",
      group_by: ["alertname", "msg"],
      group_wait: "10s",
      group_interval: "1m",
      repeat_interval: "4h",
      routes: alerts.map(([name, alert]) => ({ receiver: name, matchers: [`${ALERT_LABEL}="${name}"`], repeat_interval: alert.repeat })),
    },
    receivers: [
      { name: "none" },
      ...alerts.map(([name, alert]) => ({
        name,
        email_configs: [
          {
            to: alert.to.join(", "),
            send_resolved: false,
            headers: { Subject: `[${config.app.name} ${config.profileName}] ${name}: {{ .CommonLabels.msg }}` },
          },
        ],
      })),
    ],
  });
}
