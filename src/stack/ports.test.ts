import { describe, expect, it } from "vitest";
import { choosePorts, freePorts, hashedStart, MOVED_PORT_RANGE, probePort, type PortInputs } from "./ports.js";

const defaults = { smtp: 1025, smtpUi: 8025, postgres: 5432, http: 80 };

function inputs(over: Partial<PortInputs> = {}): PortInputs {
  return {
    stack: "shop-1234abcd",
    wanted: ["smtp", "smtpUi", "postgres"],
    current: { ...defaults },
    defaults,
    explicit: new Set(),
    remembered: {},
    ours: new Set(),
    reserved: new Set(),
    busy: () => Promise.resolve(false),
    ...over,
  };
}

const byKey = (choices: { key: string; port: number; source: string }[]) => Object.fromEntries(choices.map((c) => [c.key, `${c.port} ${c.source}`]));

describe("choosePorts", () => {
  it("keeps the defaults while they are free", async () => {
    expect(byKey(await choosePorts(inputs()))).toEqual({ smtp: "1025 default", smtpUi: "8025 default", postgres: "5432 default" });
  });

  it("moves a taken default to the project's hashed port, the same one every time", async () => {
    const busy = (p: number) => Promise.resolve(p === 1025);
    const first = await choosePorts(inputs({ busy }));
    const again = await choosePorts(inputs({ busy }));
    const smtp = first.find((c) => c.key === "smtp");
    expect(smtp?.source).toBe("moved");
    expect(smtp?.port).toBe(hashedStart("shop-1234abcd", "smtp"));
    expect(again).toEqual(first);
    expect(first.find((c) => c.key === "smtpUi")?.port).toBe(8025);
  });

  it("gives two projects different ports for the same taken default", async () => {
    const busy = (p: number) => Promise.resolve(p === 1025);
    const a = (await choosePorts(inputs({ busy, stack: "shop-1111aaaa" }))).find((c) => c.key === "smtp")?.port;
    const b = (await choosePorts(inputs({ busy, stack: "blog-2222bbbb" }))).find((c) => c.key === "smtp")?.port;
    expect(a).not.toBe(b);
    for (const p of [a, b]) expect(p).toBeGreaterThanOrEqual(MOVED_PORT_RANGE.from);
  });

  it("probes upward from the hashed start past busy and reserved ports", async () => {
    const start = hashedStart("shop-1234abcd", "smtp");
    const busy = (p: number) => Promise.resolve(p === 1025 || p === start);
    const choices = await choosePorts(inputs({ busy, reserved: new Set([start + 1]) }));
    expect(choices.find((c) => c.key === "smtp")?.port).toBe(start + 2);
  });

  it("never moves a port written in the profile, even when it is taken", async () => {
    const choices = await choosePorts(inputs({ explicit: new Set(["smtp"]), current: { ...defaults, smtp: 2525 }, busy: () => Promise.resolve(true) }));
    expect(choices.find((c) => c.key === "smtp")).toEqual({ key: "smtp", port: 2525, default: 1025, source: "explicit" });
  });

  it("keeps a remembered port while it is free or held by the stack's own container", async () => {
    const remembered = { smtp: 21000 };
    expect(byKey(await choosePorts(inputs({ remembered }))).smtp).toBe("21000 remembered");
    const ownBusy = (p: number) => Promise.resolve(p === 21000 || p === 1025);
    expect(byKey(await choosePorts(inputs({ remembered, busy: ownBusy, ours: new Set([21000]) }))).smtp).toBe("21000 remembered");
    // Taken by something else since: back to the default when that is free.
    expect(byKey(await choosePorts(inputs({ remembered, busy: (p) => Promise.resolve(p === 21000) }))).smtp).toBe("1025 default");
  });

  it("does not hand out a default another project's stack remembered", async () => {
    expect(byKey(await choosePorts(inputs({ reserved: new Set([1025]) }))).smtp).toMatch(/ moved$/);
  });

  it("never moves the ingress's http and https ports, which the app's URLs assume", async () => {
    const choices = await choosePorts(inputs({ wanted: ["http", "smtp"], busy: (p) => Promise.resolve(p === 80 || p === 1025) }));
    expect(byKey(choices)).toEqual({ http: "80 default", smtp: `${hashedStart("shop-1234abcd", "smtp")} moved` });
  });

  it("never gives two keys one port, nor a port another key of the profile holds", async () => {
    const start = hashedStart("shop-1234abcd", "smtp");
    const choices = await choosePorts(inputs({ current: { ...defaults, http: start }, busy: (p) => Promise.resolve(p === 1025) }));
    expect(choices.find((c) => c.key === "smtp")?.port).toBe(start + 1);
    const ports = choices.map((c) => c.port);
    expect(new Set(ports).size).toBe(ports.length);
  });
});

describe("freePorts", () => {
  it("hands out distinct ports, each free once chosen", async () => {
    for (let round = 0; round < 5; round++) {
      const ports = await freePorts(24);
      expect(new Set(ports).size).toBe(24);
      expect(await Promise.all(ports.map((port) => probePort(port)))).toEqual(ports.map(() => "free"));
    }
  });
});
