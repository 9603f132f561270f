import type { HelmBinary } from "../charts/helm-binary.js";
import type { EngineInfo } from "../stack/docker-engine.js";
import type { PortState } from "../stack/ports.js";
import { MINIMUM_NODE, NODE_FIX, olderThan } from "../node-version.js";
import { inotifyFix, RECOMMENDED_INOTIFY, type InotifyLimits } from "../watch/inotify.js";

export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export interface Check {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** What doctor saw; gathering it is I/O, judging it (below) is pure. */
export interface Observations {
  platform: NodeJS.Platform;
  nodeVersion: string;
  engine: EngineInfo;
  helm: { binary: HelmBinary } | { error: string; fix?: string };
  /** Ports of the local profile, when the project has one with a k3s cluster. */
  /** movable: `up` publishes the key elsewhere when its port is taken (stack/ports.ts); ours: this project's running stack holds it. */
  ports: { name: string; port: number; state: PortState; profile: string; movable?: boolean; ours?: boolean }[];
  inotify: InotifyLimits | undefined;
  remotes: RemoteObservation[];
  freeDiskBytes: number | undefined;
  config?: { error: string };
}

export type RemoteObservation =
  | { profile: string; kind: "kube-context"; context: string; files: string[]; found: boolean }
  | { profile: string; kind: "eks"; cluster: string; region: string; credentialSources: string[] };

const GiB = 1024 ** 3;

function engineFix(platform: NodeJS.Platform): string {
  if (platform === "darwin") return "start Docker Desktop, OrbStack or `colima start`; then run `devstack doctor` again";
  if (platform === "win32") return "start Docker Desktop (WSL 2 backend); then run `devstack doctor` again";
  return [
    "start the engine: `sudo systemctl start docker` (or `sudo dockerd &` where there is no systemd)",
    "not installed? `sudo apt-get install docker.io` (Debian/Ubuntu), or see https://docs.docker.com/engine/install/",
    "a rootless or remote engine: set DOCKER_HOST, e.g. DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock",
  ].join("\n");
}

const portKeys: Record<string, string> = {
  http: "ports.http",
  https: "ports.https",
  registry: "ports.registry",
  postgres: "ports.postgres",
  acme: "ports.acme",
  smtp: "ports.smtp",
  smtpUi: "ports.smtpUi",
  acmeManagement: "ports.acmeManagement",
  acmeTestServer: "ports.acmeTestServer",
  kubeApi: "ports.kubeApi",
};

export function evaluate(o: Observations): Check[] {
  const checks: Check[] = [];
  checks.push(
    olderThan(o.nodeVersion)
      ? { id: "node", title: "Node.js", status: "fail", detail: `Node.js ${o.nodeVersion} is older than ${MINIMUM_NODE}, the oldest devstack's dependencies run on`, fix: NODE_FIX }
      : { id: "node", title: "Node.js", status: "ok", detail: `Node.js ${o.nodeVersion}` },
  );

  checks.push(
    o.engine.reachable
      ? { id: "docker", title: "Docker engine", status: "ok", detail: `Docker Engine ${o.engine.version} (API ${o.engine.apiVersion}, ${o.engine.os}) at ${o.engine.endpoint}` }
      : { id: "docker", title: "Docker engine", status: "fail", detail: `no Docker engine answers at ${o.engine.endpoint}: ${o.engine.error}`, fix: engineFix(o.platform) },
  );

  if ("binary" in o.helm) {
    checks.push({ id: "helm", title: "helm", status: "ok", detail: `helm ${o.helm.binary.version} from ${o.helm.binary.source} (${o.helm.binary.path})` });
  } else {
    checks.push({ id: "helm", title: "helm", status: "fail", detail: o.helm.error, ...(o.helm.fix ? { fix: o.helm.fix } : {}) });
  }

  for (const p of o.ports) {
    const id = `port:${p.name}`;
    const title = `port ${p.port} (${p.name})`;
    if (p.state === "free") checks.push({ id, title, status: "ok", detail: `127.0.0.1:${p.port} is free` });
    else if (p.state === "privileged") checks.push({ id, title, status: "ok", detail: `127.0.0.1:${p.port} is free for the Docker engine to bind (below 1024)` });
    else if (p.ours) checks.push({ id, title, status: "ok", detail: `127.0.0.1:${p.port} is published by this project's running stack` });
    else if (p.movable)
      checks.push({ id, title, status: "ok", detail: `127.0.0.1:${p.port} is in use by something else: \`devstack up\` publishes ${p.name} on another port for this project and remembers it (\`devstack status\` shows it)` });
    else
      checks.push({
        id,
        title,
        status: "warn",
        detail: `127.0.0.1:${p.port} is already in use`,
        fix: `stop what listens there (\`sudo lsof -iTCP:${p.port} -sTCP:LISTEN\` shows it), or set ${portKeys[p.name] ?? "ports"} in profiles/${p.profile}.yaml to a free port`,
      });
  }

  if (o.inotify === undefined) {
    checks.push({ id: "inotify", title: "file watching", status: "skip", detail: o.platform === "linux" ? "inotify limits unreadable" : "not Linux: no inotify limits apply" });
  } else {
    const low = o.inotify.maxUserWatches < RECOMMENDED_INOTIFY.maxUserWatches || o.inotify.maxUserInstances < RECOMMENDED_INOTIFY.maxUserInstances;
    const detail = `max_user_watches ${o.inotify.maxUserWatches}, max_user_instances ${o.inotify.maxUserInstances}`;
    checks.push(
      low
        ? { id: "inotify", title: "file watching", status: "warn", detail: `${detail}: too low for watching and k3s (want ${RECOMMENDED_INOTIFY.maxUserWatches} / ${RECOMMENDED_INOTIFY.maxUserInstances})`, fix: inotifyFix() }
        : { id: "inotify", title: "file watching", status: "ok", detail },
    );
  }

  for (const r of o.remotes) {
    const id = `cluster:${r.profile}`;
    if (r.kind === "kube-context") {
      checks.push(
        r.found
          ? { id, title: `cluster of profile ${r.profile}`, status: "ok", detail: `kube context "${r.context}" found in ${r.files.join(", ")}` }
          : {
              id,
              title: `cluster of profile ${r.profile}`,
              status: "fail",
              detail: `kube context "${r.context}" is not in ${r.files.join(", ") || "any kubeconfig"}`,
              fix: `\`kubectl config get-contexts\` lists the contexts you have; set cluster.context in profiles/${r.profile}.yaml to one of them`,
            },
      );
    } else {
      checks.push(
        r.credentialSources.length > 0
          ? { id, title: `cluster of profile ${r.profile}`, status: "ok", detail: `EKS ${r.cluster} in ${r.region}, reached with AWS credentials from ${r.credentialSources.join(", ")}` }
          : {
              id,
              title: `cluster of profile ${r.profile}`,
              status: "warn",
              detail: `EKS ${r.cluster} in ${r.region}: no AWS credentials found`,
              fix: "sign in with `aws sso login --profile NAME` and export AWS_PROFILE=NAME, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; in CI use OIDC (AWS_WEB_IDENTITY_TOKEN_FILE)",
            },
      );
    }
  }

  if (o.freeDiskBytes !== undefined) {
    const free = `${(o.freeDiskBytes / GiB).toFixed(1)} GiB free`;
    checks.push(
      o.freeDiskBytes < 10 * GiB
        ? { id: "disk", title: "disk space", status: "warn", detail: `${free}: images and volumes of the local stack want about 10 GiB`, fix: "free space, e.g. `docker system prune` removes unused images and build cache" }
        : { id: "disk", title: "disk space", status: "ok", detail: free },
    );
  }

  if (o.config) {
    checks.push({ id: "config", title: "project config", status: "fail", detail: o.config.error, fix: "run `devstack config` to see each problem at its line" });
  }
  return checks;
}
