import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimEphemeral, removeEphemeral, sweepEphemeral } from "./ephemeral-stores.js";
import { KeyHome } from "./key-home.js";
import { LocalStore } from "./local-store.js";
import { onStoreNotice } from "./notices.js";

const dir = mkdtempSync(join(tmpdir(), "devstack-ephemeral-"));
const home = new KeyHome(dir);
const saved = process.env.DEVSTACK_KEYCHAIN;
beforeAll(() => {
  process.env.DEVSTACK_KEYCHAIN = "off";
  onStoreNotice(() => undefined);
});
afterAll(() => {
  onStoreNotice(undefined);
  if (saved === undefined) delete process.env.DEVSTACK_KEYCHAIN;
  else process.env.DEVSTACK_KEYCHAIN = saved;
  rmSync(dir, { recursive: true, force: true });
});

async function ephemeral(name: string): Promise<LocalStore> {
  const store = new LocalStore(join(home.storesDir, name, "local.age"), home);
  claimEphemeral(store);
  await store.update(() => [{ group: "app", name: "STRIPE_API_KEY", value: "sk_copied_0123456789" }]);
  return store;
}

describe("isolated test stacks' stores", () => {
  it("are removed whole, marker included", async () => {
    const store = await ephemeral("hello-live");
    expect(existsSync(store.marker)).toBe(true);
    removeEphemeral(store);
    expect(existsSync(dirname(store.location))).toBe(false);
    expect(existsSync(store.marker)).toBe(false);
  });

  it("left by a killed process are swept; those of a live one and the project's own store stay", async () => {
    const own = new LocalStore(join(home.storesDir, "hello-own", "local.age"), home);
    await own.update(() => [{ group: "app", name: "STRIPE_API_KEY", value: "sk_project_0123456789" }]);
    const live = await ephemeral("hello-mine");
    const orphan = await ephemeral("hello-orphan");
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(join(dirname(orphan.location), ".ephemeral"), JSON.stringify({ pid: dead }));
    expect(sweepEphemeral(home)).toEqual([dirname(orphan.location)]);
    expect(existsSync(orphan.marker)).toBe(false);
    expect(existsSync(live.location)).toBe(true);
    expect((await own.read()).app.STRIPE_API_KEY?.value).toBe("sk_project_0123456789");
  });
});
