import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { cli, makeProject, mount, mountMissing, readStore, storePath, tempHome, umount } from "./secret-store-support.js";

// The local store and its key under faults a laptop sees: a key file damaged
// every way it can be, runs killed at any moment, a read-only or full disk.
// Each must end in a named error with its fix, or in a store that still
// holds every value — and no output may ever carry key material, even with
// DEVSTACK_DEBUG=1 (which prints stack traces).

const project = makeProject();
const cleanup: string[] = [project];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

const DEBUG = { DEVSTACK_DEBUG: "1" };
const GENERATED = ["SESSION_KEY", "WEBHOOK_SIGNING_KEY", "JWT_PRIVATE_KEY"];

/** A home with a key and a complete store (the external secret set too, so sync exits 0). */
function readyHome(root?: string): string {
  const home = root ?? tempHome();
  if (!root) cleanup.push(home);
  expect(cli(home, project, ["secrets", "set", "STRIPE_API_KEY"], { input: "sk_test_canary_value\n" }).code).toBe(0);
  const sync = cli(home, project, ["secrets", "sync"]);
  expect(sync.code, sync.stderr).toBe(0);
  return home;
}

/** Every 10-character window of the key's body: output holding any of them leaks part of the key. */
function keyPieces(identity: string): string[] {
  const body = identity.slice("AGE-SECRET-KEY-1".length);
  return Array.from({ length: body.length - 9 }, (_, i) => body.slice(i, i + 10));
}

function expectNoKey(text: string, identity: string): void {
  expect(text).not.toContain(identity);
  expect(text.toUpperCase()).not.toContain(identity.slice(16));
  const leaked = keyPieces(identity).filter((piece) => text.toUpperCase().includes(piece));
  expect(leaked, "output holds part of the store key").toEqual([]);
}

const BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

const DAMAGES: { name: string; damage: (text: string, key: string) => string | undefined; says: RegExp }[] = [
  { name: "one character flipped", damage: (t, k) => t.replace(k, k.slice(0, 40) + BECH32[(BECH32.indexOf(k[40] as string) + 1) % 32] + k.slice(41)), says: /checksum does not match/ },
  { name: "truncated", damage: (t, k) => t.slice(0, t.indexOf(k) + 40), says: /cut short/ },
  { name: "cut to its comment", damage: (t) => t.split("\n")[0] + "\n", says: /only comments/ },
  { name: "empty", damage: () => "", says: /is empty/ },
  { name: "an age public key instead", damage: () => "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq\n", says: /public key \(a recipient\)/ },
  { name: "an SSH key instead", damage: () => "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host\n", says: /SSH key/ },
  { name: "lower-cased", damage: (t, k) => t.replace(k, k.toLowerCase()), says: /character case was changed/ },
  { name: "an extra character", damage: (t, k) => t.replace(k, `${k}Q`), says: /extra characters/ },
  { name: "two keys", damage: (t, k) => `${t}${k.slice(0, 20)}${k.slice(20)}\n`, says: /2 age secret keys/ },
  { name: "deleted", damage: () => undefined, says: /key is missing/ },
];

describe("the store key never reaches any output, however it is damaged (DEVSTACK_DEBUG=1)", () => {
  const home = readyHome();
  const keyFile = join(home, "config", "age-identity.txt");
  const original = existsSync(keyFile) ? readFileSync(keyFile, "utf8") : "";
  const identity = original.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-")) ?? "";

  it("the project's key is a file here (the keychain is off), with one key in it", () => {
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
  });

  for (const { name, damage, says } of DAMAGES) {
    it(`${name}: every store command fails with the damage named and the restore as the fix`, () => {
      const damaged = damage(original, identity);
      if (damaged === undefined) unlinkSync(keyFile);
      else writeFileSync(keyFile, damaged, { mode: 0o600 });
      try {
        for (const args of [["secrets", "ls"], ["secrets", "sync"], ["secrets", "rotate", "SESSION_KEY"], ["secrets", "key"], ["secrets", "key", "--json"], ["secrets", "ls", "--json"]]) {
          const r = cli(home, project, args, { env: DEBUG });
          expect(r.code, `${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(1);
          const output = r.stdout + r.stderr;
          expect(output).toMatch(says);
          expect(output).toMatch(/secrets key --import/);
          expect(output).not.toMatch(/unexpected failure/);
          expectNoKey(output, identity);
        }
        // Nothing was made anew over the damaged key.
        if (damaged === undefined) expect(existsSync(keyFile)).toBe(false);
        else expect(readFileSync(keyFile, "utf8")).toBe(damaged);
      } finally {
        writeFileSync(keyFile, original, { mode: 0o600 });
      }
      expect(cli(home, project, ["secrets", "ls"]).code).toBe(0);
    });
  }

  it("a deleted store is an error naming its kept previous version, never a silent regeneration", async () => {
    const store = storePath(home, project);
    const before = await readStore(home, project);
    expect(cli(home, project, ["secrets", "rotate", "SESSION_KEY"]).code).toBe(0);
    unlinkSync(store.location);
    const r = cli(home, project, ["secrets", "sync"], { env: DEBUG });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is missing, but its values were created/);
    expect(r.stderr).toContain(`cp ${store.location}.prev ${store.location}`);
    expect(existsSync(store.location)).toBe(false);
    expectNoKey(r.stdout + r.stderr, identity);
    // The fix, as printed, brings the values back (the previous version: before the rotation).
    writeFileSync(store.location, readFileSync(`${store.location}.prev`), { mode: 0o600 });
    expect((await readStore(home, project)).app.SESSION_KEY?.value).toBe(before.app.SESSION_KEY?.value);
  });

  it("a truncated store names the damage, never its content", async () => {
    const store = storePath(home, project);
    const whole = readFileSync(store.location);
    writeFileSync(store.location, whole.subarray(0, Math.floor(whole.length / 2)), { mode: 0o600 });
    try {
      const r = cli(home, project, ["secrets", "ls"], { env: DEBUG });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is damaged: it is cut short or altered/);
      expect(r.stderr).not.toContain("sk_test_canary_value");
      expectNoKey(r.stdout + r.stderr, identity);
    } finally {
      writeFileSync(store.location, whole, { mode: 0o600 });
    }
  });
});

/** Starts the CLI and kills it with SIGKILL after `afterMs`; resolves when it is gone. */
function runAndKill(home: string, args: string[], afterMs: number, env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: project,
      env: { ...process.env, NO_COLOR: "1", DEVSTACK_HOME: home, DEVSTACK_KEYCHAIN: "off", ...env },
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), afterMs);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe("runs killed at any moment never break the store", () => {
  it("SIGKILL loops of sync and rotate (seeded timings and named fault points) leave a readable store with every value", async () => {
    const home = tempHome();
    cleanup.push(home);
    // A fresh home: the first kills land while the key and the store are being made.
    let seed = 20261202;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const points = ["secrets:locked", "durable:before-rename"];
    for (let round = 0; round < 16; round++) {
      const args = round % 2 === 0 ? ["secrets", "sync"] : ["secrets", "rotate", GENERATED[round % GENERATED.length] as string];
      const env = round % 4 === 3 ? { DEVSTACK_FAULT: points[round % points.length] as string } : {};
      await runAndKill(home, args, 150 + Math.floor(next() * 900), env);
    }
    const r = cli(home, project, ["secrets", "sync", "--json"]);
    expect(r.stderr).not.toMatch(/unexpected failure|damaged|missing, but/);
    const snapshot = await readStore(home, project);
    for (const name of GENERATED) expect(snapshot.app[name]?.value, name).toBeTruthy();
    const storeDir = join(home, "config", "stores", readdirSync(join(home, "config", "stores"))[0] as string);
    // Temporary files of killed runs are gone once a later run has swept.
    expect(readdirSync(storeDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describeWithEngine("a tmpfs mount (root)", mountMissing(), "a read-only or full disk under the store", () => {
  it("read-only: writes fail naming the path, EROFS and the fix; the values stay readable", async () => {
    const root = mkdtempSync(join(tmpdir(), "devstack-ro-"));
    cleanup.push(root);
    mount(["-t", "tmpfs", "-o", "size=4m", "tmpfs", root]);
    try {
      readyHome(root);
      const before = await readStore(root, project);
      mount(["-o", "remount,ro", root]);
      const r = cli(root, project, ["secrets", "rotate", "SESSION_KEY"], { env: DEBUG });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/read-only/);
      expect(r.stderr).toMatch(/EROFS/);
      expect(r.stderr).toContain(join(root, "config"));
      expect(r.stderr).toMatch(/fix:.*(writable|DEVSTACK_HOME)/s);
      expect(r.stderr).not.toMatch(/unexpected failure/);
      // Reading needs no write: ls works on the read-only disk.
      expect(cli(root, project, ["secrets", "ls"]).code).toBe(0);
      expect((await readStore(root, project)).app.SESSION_KEY?.value).toBe(before.app.SESSION_KEY?.value);
    } finally {
      umount(root);
    }
  });

  it("full: writes fail naming ENOSPC and the fix, nothing half-written is kept, and the values survive", async () => {
    const root = mkdtempSync(join(tmpdir(), "devstack-full-"));
    cleanup.push(root);
    mount(["-t", "tmpfs", "-o", "size=1m", "tmpfs", root]);
    try {
      readyHome(root);
      const before = await readStore(root, project);
      // Fill the disk to the last block.
      const filler = join(root, "filler");
      for (let size = 1 << 20; size >= 1; size >>= 1) {
        try {
          writeFileSync(filler, Buffer.alloc(size), { flag: "a" });
        } catch {
          // Smaller pieces fill what is left.
        }
      }
      const r = cli(root, project, ["secrets", "rotate", "SESSION_KEY"], { env: DEBUG });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/disk is full/);
      expect(r.stderr).toMatch(/ENOSPC/);
      expect(r.stderr).toMatch(/nothing was changed|nothing half-written/);
      expect(r.stderr).not.toMatch(/unexpected failure/);
      const storeDir = join(root, "config", "stores", readdirSync(join(root, "config", "stores"))[0] as string);
      expect(readdirSync(storeDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      chmodSync(filler, 0o600);
      unlinkSync(filler);
      expect((await readStore(root, project)).app.SESSION_KEY?.value).toBe(before.app.SESSION_KEY?.value);
      expect(cli(root, project, ["secrets", "rotate", "SESSION_KEY"]).code).toBe(0);
    } finally {
      umount(root);
    }
  });
});
