import { tcpOpen } from "../wait.js";
import { resolveImage, type HostPorts, type StandIn } from "./standin.js";

/** SES's stand-in: MailDev, an SMTP sink with a web UI and an API the harness reads mail from. */
const SMTP_PORT = 1025;
const WEB_PORT = 1080;

export const smtp: StandIn = {
  component: "smtp",
  nameSuffix: "smtp",
  image: "docker.io/maildev/maildev:2.2.1",
  memoryMi: 64,
  wanted: ({ config }) => config.profile.smtp.type === "local",
  container: ({ config }) => ({
    component: "smtp",
    image: resolveImage(smtp, config.profile.images),
    env: { MAILDEV_SMTP_PORT: String(SMTP_PORT), MAILDEV_WEB_PORT: String(WEB_PORT) },
    secretEnv: {},
    ports: [
      { container: SMTP_PORT, host: config.profile.ports.smtp, purpose: "SMTP", key: "ports.smtp" },
      { container: WEB_PORT, host: config.profile.ports.smtpUi, purpose: "mail web UI and API", key: "ports.smtpUi" },
    ],
    volumes: [],
    aliases: ["smtp"],
  }),
  url: (config) => `http://127.0.0.1:${config.profile.ports.smtpUi}`,
  clusterPorts: [
    { name: "smtp", port: SMTP_PORT },
    { name: "web", port: WEB_PORT },
  ],
};

/** Where the app and its tests on the host reach the sink. */
export function smtpEndpoints(ports: Pick<HostPorts, "smtp" | "smtpUi">) {
  return { host: "127.0.0.1", port: ports.smtp, ui: `http://127.0.0.1:${ports.smtpUi}`, api: `http://127.0.0.1:${ports.smtpUi}/email` };
}

/** True once the sink takes SMTP connections and its API answers. */
export async function smtpAnswering(ports: Pick<HostPorts, "smtp" | "smtpUi">): Promise<true | undefined> {
  return (await tcpOpen(ports.smtp)) && (await fetch(smtpEndpoints(ports).api, { signal: AbortSignal.timeout(2000) })).ok ? true : undefined;
}
