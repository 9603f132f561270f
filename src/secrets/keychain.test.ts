import { afterEach, describe, expect, it } from "vitest";
import { keychainUnreachable, keychainWanted } from "./keychain.js";

const saved = { ...process.env };
afterEach(() => {
  for (const name of ["DEVSTACK_KEYCHAIN", "DEVSTACK_HOME", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"]) {
    if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = saved[name];
  }
});

describe("the keychain", () => {
  it("is used by default, but not where DEVSTACK_HOME moves devstack's files, unless asked for", () => {
    delete process.env.DEVSTACK_KEYCHAIN;
    delete process.env.DEVSTACK_HOME;
    expect(keychainWanted()).toBe(true);
    process.env.DEVSTACK_HOME = "/tmp/x";
    expect(keychainWanted()).toBe(false);
    process.env.DEVSTACK_KEYCHAIN = "on";
    expect(keychainWanted()).toBe(true);
    delete process.env.DEVSTACK_HOME;
    process.env.DEVSTACK_KEYCHAIN = "off";
    expect(keychainWanted()).toBe(false);
  });

  it.runIf(process.platform === "linux")("counts as absent on Linux without a session bus (the library would fall back to the kernel keyring)", () => {
    delete process.env.DBUS_SESSION_BUS_ADDRESS;
    process.env.XDG_RUNTIME_DIR = "/nonexistent-runtime-dir";
    expect(keychainUnreachable()).toMatch(/no D-Bus session bus/);
    process.env.DBUS_SESSION_BUS_ADDRESS = "unix:path=/run/user/0/bus";
    expect(keychainUnreachable()).toBeUndefined();
  });
});
