import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { alertmanagerConfig } from "../../src/alerts/alertmanager.js";
import { sendSyntheticAlert } from "../../src/alerts/synthetic.js";
import { loadConfig } from "../../src/config/resolve.js";
import { HELLO } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { freePorts } from "../support/ports.js";
import { dockerTierMissing } from "../support/standins.js";

const BINARY = "/usr/bin/prometheus-alertmanager";
const missing = existsSync(BINARY) ? await dockerTierMissing() : "no Alertmanager (apt-get install prometheus-alertmanager)";

describeWithEngine("Alertmanager and the SMTP sink", missing, "an alert from devstack.yaml, delivered by a real Alertmanager to a real SMTP sink", () => {
  const dir = mkdtempSync(join(tmpdir(), "devstack-am-"));
  const container = `devstack-test-smtp-${process.pid}`;
  let alertmanager: ChildProcess;
  let amUrl: string;
  let mailApi: string;

  beforeAll(async () => {
    const [smtp, web, am] = await freePorts(3);
    const run = spawnSync("docker", ["run", "-d", "--rm", "--name", container, "-p", `127.0.0.1:${smtp}:1025`, "-p", `127.0.0.1:${web}:1080`, "devstack-standin/smtp:bookworm"], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(run.stderr);
    mailApi = `http://127.0.0.1:${web}/email`;
    const config = loadConfig({ cwd: HELLO, profile: "local" });
    writeFileSync(join(dir, "alertmanager.yml"), alertmanagerConfig(config, { smarthost: `127.0.0.1:${smtp}`, from: "alerts@devstack.test" }));
    amUrl = `http://127.0.0.1:${am}`;
    alertmanager = spawn(BINARY, [`--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${am}`, "--cluster.listen-address="], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      const ready = await fetch(`${amUrl}/-/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
      const sink = await fetch(mailApi, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
      if (ready && sink) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error("Alertmanager or the SMTP sink did not start");
  }, 60_000);

  afterAll(() => {
    alertmanager?.kill();
    spawnSync("docker", ["rm", "-f", container]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("routes the synthetic error-burst alert to its recipient as an e-mail", async () => {
    await sendSyntheticAlert(amUrl, loadConfig({ cwd: HELLO, profile: "local" }), "error-burst");
    let mail: { subject: string; to: { address: string }[]; from: { address: string }[] }[] = [];
    // group_wait is 10 s: the e-mail follows shortly after.
    for (let i = 0; i < 60 && mail.length === 0; i++) {
      mail = (await (await fetch(mailApi)).json()) as typeof mail;
      if (mail.length === 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe("[hello local] error-burst: devstack alerts test error-burst");
    expect(mail[0]?.to.map((t) => t.address)).toEqual(["oncall@example.com"]);
    expect(mail[0]?.from.map((f) => f.address)).toEqual(["alerts@devstack.test"]);
  }, 60_000);

  it("refuses an alert that devstack.yaml does not declare", async () => {
    await expect(sendSyntheticAlert(amUrl, loadConfig({ cwd: HELLO, profile: "local" }), "nope")).rejects.toThrow(/no alert named nope/);
  });
});
