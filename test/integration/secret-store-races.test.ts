import { existsSync, rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { cliAsync, makeProject, readStore, result, storePath, tempHome } from "./secret-store-support.js";

// Runs of the real CLI racing on one store, with secrets whose generation
// is slow (RSA-4096 key pairs take about a second each, several at once on
// two cores take many). The store must keep one value per secret.

const SLOW = ["A", "B", "C"].map((n) => `  RSA_${n}:\n    generate: { type: keypair, algorithm: rsa-4096 }\n`).join("");
const project = makeProject(SLOW);
const plain = makeProject();
const homes: string[] = [];
afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  rmSync(plain, { recursive: true, force: true });
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const PLAIN = ["SESSION_KEY", "WEBHOOK_SIGNING_KEY", "JWT_PRIVATE_KEY"];
const GENERATED = [...PLAIN, "RSA_A", "RSA_B", "RSA_C"];

/** Reads the store over and over while runs race, recording every value each secret ever had. */
function watch(home: string, dir = project): { stop: () => Promise<Map<string, Set<string>>> } {
  const seen = new Map<string, Set<string>>();
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const snapshot = await readStore(home, dir);
        for (const [name, entry] of Object.entries(snapshot.app)) {
          if (!seen.has(name)) seen.set(name, new Set());
          seen.get(name)?.add(entry.value);
        }
      } catch {
        // The key or the store may not exist yet.
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

describe("the local store under racing runs", () => {
  it("8 concurrent `secrets sync` runs with slow RSA-4096 key pairs: every run succeeds, each secret gets one value", async () => {
    const home = tempHome();
    homes.push(home);
    const watcher = watch(home);
    const started = performance.now();
    const runs = await Promise.all(Array.from({ length: 8 }, () => cliAsync(home, project, ["secrets", "sync", "--json"])));
    const ms = Math.round(performance.now() - started);
    const seen = await watcher.stop();
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/unexpected failure|Lock is already released/);
      expect(r.code, r.stderr).toBe(1); // only STRIPE_API_KEY, external, is missing
    }
    const created = runs.flatMap((r) => result<{ created: string[] }>(r.stdout).created);
    expect(created.filter((n) => GENERATED.includes(n)).sort()).toEqual([...GENERATED].sort());
    const final = await readStore(home, project);
    for (const name of GENERATED) {
      expect(seen.get(name)?.size ?? 0, `${name} took more than one value`).toBeLessThanOrEqual(1);
      expect(final.app[name]?.value).toMatch(name.startsWith("RSA_") ? /^-----BEGIN PRIVATE KEY-----/ : /./);
    }
    process.stderr.write(`secret-store-races: 8 concurrent syncs with 3 RSA-4096 keys each finished in ${ms} ms\n`);
  }, 300_000);

  it("a run that holds the lock for 12 s (past any stale timeout) is waited for, never overtaken", async () => {
    const home = tempHome();
    homes.push(home);
    const watcher = watch(home, plain);
    const slow = cliAsync(home, plain, ["secrets", "sync", "--json"], { DEVSTACK_PAUSE: "secrets:locked", DEVSTACK_PAUSE_MS: "12000" });
    // The others start once the slow run holds the lock.
    const lock = `${storePath(home, plain).location}.lock`;
    for (let waited = 0; !existsSync(lock) && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(lock)).toBe(true);
    const others = Array.from({ length: 7 }, () => cliAsync(home, plain, ["secrets", "sync", "--json"]));
    const runs = await Promise.all([slow, ...others]);
    const seen = await watcher.stop();
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/unexpected failure|Lock is already released/);
      expect(r.code, r.stderr).toBe(1);
    }
    const created = runs.map((r) => result<{ created: string[] }>(r.stdout).created);
    // The paused run took the lock first and made every value; the others waited and found them.
    expect(created[0]).toEqual(expect.arrayContaining(PLAIN));
    expect(created.slice(1).flat()).toEqual([]);
    for (const name of PLAIN) expect(seen.get(name)?.size ?? 0, name).toBe(1);
  }, 120_000);

  it("rotations racing with syncs keep a readable store where every secret has a value", async () => {
    const home = tempHome();
    homes.push(home);
    expect((await cliAsync(home, plain, ["secrets", "sync"])).code).toBe(1);
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => cliAsync(home, plain, i % 2 === 0 ? ["secrets", "rotate", "SESSION_KEY", "--json"] : ["secrets", "sync", "--json"])),
    );
    for (const r of runs) expect(r.stderr).not.toMatch(/unexpected failure/);
    expect(runs.filter((_, i) => i % 2 === 0).every((r) => r.code === 0)).toBe(true);
    expect(runs.filter((_, i) => i % 2 === 1).flatMap((r) => result<{ created: string[] }>(r.stdout).created)).toEqual([]);
    const final = await readStore(home, plain);
    for (const name of PLAIN) expect(final.app[name]?.value).toBeTruthy();
  }, 120_000);
});
