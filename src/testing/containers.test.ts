import { join } from "node:path";
import type { ContainerCreateOptions, HostConfig } from "dockerode";
import type { StartedNetwork } from "testcontainers";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import { stackSpec } from "../stack/components.js";
import { containerFor } from "./containers.js";

// What each container would be created with, without an engine: the module's
// own settings merged with the spec's. The k3s path cannot run on a machine
// without the k3s image; this is what checks its shape.

interface Internals {
  createOpts: ContainerCreateOptions;
  hostConfig: HostConfig & { CgroupnsMode?: string };
  beforeContainerCreated(): Promise<void>;
}

const config = loadConfig({ cwd: join(import.meta.dirname, "..", "..", "examples", "hello"), profile: "local", instance: "unit" });
const spec = stackSpec(config, { cluster: true });
const network = { getName: () => spec.network } as StartedNetwork;

async function created(component: string, before: (c: Internals) => void = () => undefined): Promise<Internals> {
  const c = spec.containers.find((x) => x.component === component);
  if (!c) throw new Error(`no ${component} in the spec`);
  const container = containerFor({ spec: c, network, labels: { "devstack.owner.pid": "1" }, secrets: Object.fromEntries(Object.keys(c.secretEnv).map((k) => [k, "s3cret"])), files: [] }) as unknown as Internals;
  before(container);
  await container.beforeContainerCreated();
  return container;
}

describe("stand-in containers on testcontainers", () => {
  it("k3s: the module's cgroup mount and API port, plus the spec's command, ports on 127.0.0.1, datastore volume and aliases", async () => {
    const k3s = await created("k3s");
    expect(k3s.createOpts.Cmd?.slice(0, 3)).toEqual(["server", "--node-name", "devstack"]);
    expect(k3s.hostConfig.Privileged).toBe(true);
    expect(k3s.hostConfig.CgroupnsMode).toBe("host");
    expect(k3s.hostConfig.Binds).toEqual(["/sys/fs/cgroup:/sys/fs/cgroup:rw", `devstack-${spec.id}-k3s:/var/lib/rancher/k3s:rw`]);
    const bindings = k3s.hostConfig.PortBindings as Record<string, { HostIp: string; HostPort: string }[]>;
    expect(bindings["6443/tcp"]).toEqual([{ HostIp: "127.0.0.1", HostPort: String(config.profile.ports.kubeApi) }]);
    expect(bindings["443/tcp"]).toEqual([{ HostIp: "127.0.0.1", HostPort: String(config.profile.ports.https) }]);
    expect(Object.values(bindings).flat().every((b) => b.HostIp === "127.0.0.1")).toBe(true);
    expect(k3s.createOpts.NetworkingConfig?.EndpointsConfig?.[spec.network]?.Aliases).toEqual(["k3s"]);
    expect(k3s.createOpts.Labels).toMatchObject({ "devstack.project": spec.id, "devstack.component": "k3s", "devstack.owner.pid": "1" });
  });

  it("postgres: the password only as a file, the spec's health check, not the module's", async () => {
    // What PostgreSqlContainer.start() adds before the container is created.
    const pg = await created("postgres", (c) => (c as unknown as { withEnvironment(env: Record<string, string>): void }).withEnvironment({ POSTGRES_PASSWORD: "test" }));
    expect(pg.createOpts.Env).toContain("POSTGRES_PASSWORD_FILE=/devstack/secrets/POSTGRES_PASSWORD");
    expect(pg.createOpts.Env?.some((e) => e.startsWith("POSTGRES_PASSWORD="))).toBe(false);
    expect(JSON.stringify(pg.createOpts)).not.toContain("s3cret");
    expect(pg.createOpts.Healthcheck?.Test).toEqual(["CMD", "pg_isready", "-U", "postgres", "-h", "127.0.0.1"]);
  });
});
