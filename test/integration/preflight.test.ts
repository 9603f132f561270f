import { readFileSync, rmSync, writeFileSync, mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { devstack } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { dockerTierMissing, standinProject } from "../support/standins.js";

// Offline, with two images that are neither here nor pullable and a port the
// profile names already taken: the plan lists all three at once, and `up`
// stops on all three before it starts anything.

const missing = await dockerTierMissing();

describeWithEngine("Docker engine with stand-in images", missing, "preflight of images and ports", () => {
  let dir: string;
  let ports: Record<string, number>;
  let busy: Server;
  const home = mkdtempSync(join(tmpdir(), "devstack-preflight-home-"));
  const cli = (args: string[]) => devstack(args, { cwd: dir, env: { DEVSTACK_HOME: home }, timeoutMs: 120_000 });

  beforeAll(async () => {
    ({ dir, ports } = await standinProject());
    const profile = join(dir, "profiles", "local.yaml");
    writeFileSync(
      profile,
      readFileSync(profile, "utf8")
        .replace("smtp: devstack-standin/smtp:bookworm", "smtp: devstack-preflight/no-such-smtp:1")
        .replace("object-store: devstack-standin/object-store:bookworm", "object-store: devstack-preflight/no-such-store:1"),
    );
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(ports.postgres, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
    cli(["down", "--purge", "--yes"]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it("up --dry-run lists both images and the port, and up stops on all three before starting anything", () => {
    const dry = cli(["up", "--services-only", "--dry-run", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    const found = (JSON.parse(dry.stdout.trim().split("\n").at(-1) as string) as { preflight: { kind: string; image?: string; port?: number; key?: string }[] }).preflight;
    expect(found.filter((p) => p.kind === "image").map((p) => p.image).sort()).toEqual(["devstack-preflight/no-such-smtp:1", "devstack-preflight/no-such-store:1"]);
    expect(found.filter((p) => p.kind === "port")).toEqual([expect.objectContaining({ port: ports.postgres, key: "ports.postgres" })]);

    const text = cli(["up", "--services-only", "--dry-run"]);
    expect(text.stdout).toContain("up would stop here");

    const up = cli(["up", "--services-only"]);
    expect(up.code).not.toBe(0);
    for (const needle of ["no-such-smtp", "no-such-store", `port ${ports.postgres}`, "images:", "overrides:", "ports.postgres"]) expect(up.stderr).toContain(needle);
    const status = JSON.parse(cli(["status", "--json"]).stdout) as { components: unknown[] };
    expect(status.components).toEqual([]);
  }, 240_000);
});
