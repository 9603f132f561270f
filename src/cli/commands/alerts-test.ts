import { sendSyntheticAlert } from "../../alerts/synthetic.js";
import { PLATFORM_NAMESPACE } from "../../project/names.js";
import { kubeConfig } from "../../cluster/apply.js";
import { forwardToPod } from "../../cluster/port-forward.js";
import { loadConfig } from "../../config/resolve.js";
import { clusterAccess } from "../../deploy/target.js";
import { out, printResult } from "../output.js";

export async function run(options: { profile?: string; json?: boolean }, [name]: string[]): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  const access = await clusterAccess(config);
  try {
    const forward = await forwardToPod(await kubeConfig(access.kubeconfig, access.context), PLATFORM_NAMESPACE, "app.kubernetes.io/name=alertmanager", 9093);
    try {
      await sendSyntheticAlert(`http://127.0.0.1:${forward.port}`, config, name as string);
    } finally {
      await forward.close();
    }
    const to = config.app.alerts[name as string]?.to ?? [];
    const where = config.profile.smtp.type === "local" ? `the local mail UI (http://127.0.0.1:${config.profile.ports.smtpUi})` : to.join(", ");
    if (options.json) printResult("alerts test", { profile: config.profileName, sent: name as string, to });
    else out(`synthetic ${name} alert sent to Alertmanager; the e-mail reaches ${where} after the group wait (about 10 s)`);
    return 0;
  } finally {
    access.dispose();
  }
}
