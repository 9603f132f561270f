import { describe, expect, it } from "vitest";
import { evaluate, type Observations } from "./checks.js";

const healthy: Observations = {
  platform: "linux",
  nodeVersion: "v22.13.0",
  engine: { reachable: true, endpoint: "unix:///var/run/docker.sock", version: "28.2.2", apiVersion: "1.50", os: "linux/amd64" },
  helm: { binary: { path: "/usr/bin/helm", version: "v4.1.4", source: "PATH" } },
  ports: [
    { name: "http", port: 80, state: "privileged", profile: "local" },
    { name: "registry", port: 5001, state: "free", profile: "local" },
  ],
  inotify: { maxUserWatches: 1048576, maxUserInstances: 1024 },
  remotes: [],
  freeDiskBytes: 50 * 1024 ** 3,
};

const byId = (o: Observations) => Object.fromEntries(evaluate(o).map((c) => [c.id, c]));

describe("doctor checks", () => {
  it("passes a machine that has everything", () => {
    expect(evaluate(healthy).every((c) => c.status === "ok")).toBe(true);
  });

  it("fails without a Docker engine and says how to start one", () => {
    const docker = byId({ ...healthy, engine: { reachable: false, endpoint: "unix:///var/run/docker.sock", error: "connect ENOENT" } }).docker;
    expect(docker?.status).toBe("fail");
    expect(docker?.detail).toContain("connect ENOENT");
    expect(docker?.fix).toContain("sudo systemctl start docker");
  });

  it("gives macOS users their own fix", () => {
    const docker = byId({ ...healthy, platform: "darwin", engine: { reachable: false, endpoint: "x", error: "e" } }).docker;
    expect(docker?.fix).toMatch(/Docker Desktop, OrbStack or `colima start`/);
  });

  it("relays helm's resolution error and fix", () => {
    const helm = byId({ ...healthy, helm: { error: "no helm binary found", fix: "set DEVSTACK_HELM" } }).helm;
    expect(helm).toMatchObject({ status: "fail", detail: "no helm binary found", fix: "set DEVSTACK_HELM" });
  });

  it("warns about a port in use and names the profile key to change", () => {
    const port = byId({ ...healthy, ports: [{ name: "https", port: 443, state: "in-use", profile: "local" }] })["port:https"];
    expect(port?.status).toBe("warn");
    expect(port?.fix).toContain("set ports.https in profiles/local.yaml");
  });

  it("passes a taken port that up moves for this project, or that this project's stack holds", () => {
    const checks = byId({
      ...healthy,
      ports: [
        { name: "smtp", port: 1025, state: "in-use", profile: "local", movable: true },
        { name: "postgres", port: 5432, state: "in-use", profile: "local", movable: false, ours: true },
        { name: "registry", port: 5001, state: "in-use", profile: "local", movable: false },
      ],
    });
    expect(checks["port:smtp"]).toMatchObject({ status: "ok", detail: expect.stringContaining("publishes smtp on another port") });
    expect(checks["port:postgres"]).toMatchObject({ status: "ok", detail: expect.stringContaining("this project's running stack") });
    // Written in the profile: up keeps it, and its start would fail.
    expect(checks["port:registry"]).toMatchObject({ status: "warn", fix: expect.stringContaining("set ports.registry in profiles/local.yaml") });
  });

  it("warns about low inotify limits with the sysctl fix", () => {
    const inotify = byId({ ...healthy, inotify: { maxUserWatches: 8192, maxUserInstances: 128 } }).inotify;
    expect(inotify?.status).toBe("warn");
    expect(inotify?.fix).toContain("sudo sysctl -w fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512");
  });

  it("checks the kube context of remote profiles", () => {
    const checks = byId({
      ...healthy,
      remotes: [
        { profile: "staging", kind: "kube-context", context: "stg", files: ["/home/u/.kube/config"], found: false },
        { profile: "prod", kind: "eks", cluster: "shop", region: "eu-central-1", credentialSources: [] },
      ],
    });
    expect(checks["cluster:staging"]).toMatchObject({ status: "fail", fix: expect.stringContaining("kubectl config get-contexts") });
    expect(checks["cluster:prod"]).toMatchObject({ status: "warn", fix: expect.stringContaining("aws sso login") });
  });

  it("fails an old Node.js", () => {
    expect(byId({ ...healthy, nodeVersion: "v18.19.0" }).node?.status).toBe("fail");
    expect(byId({ ...healthy, nodeVersion: "v20.19.0" }).node).toMatchObject({ status: "fail", fix: expect.stringContaining("Node.js 22") });
    expect(byId({ ...healthy, nodeVersion: "v24.1.0" }).node?.status).toBe("ok");
  });
});
