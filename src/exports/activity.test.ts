import { describe, expect, it } from "vitest";
import { isoBefore, keptMarks, nextFloor, runFloors, widen, xidBound, type Activity, type OpenTransaction } from "./activity.js";

const T = (hhmm: string) => `2026-12-03T${hhmm}:00.000000Z`;
const open = (pid: number, since: string, ours = true, xid?: string): OpenTransaction => ({ pid, database: ours ? "shop" : "other", since, ageSeconds: 0, ours, ...(xid ? { xid } : {}) });
const activity = (readAt: string, list: OpenTransaction[] = [], extra: Partial<Activity> = {}): Activity => ({ readAt, open: list, hidden: 0, prepared: 0, otherXids: list.filter((o) => !o.ours && o.xid).map((o) => o.xid as string), ...extra });
const marks = [
  { at: T("09:00"), value: "100" },
  { at: T("10:00"), value: "200" },
  { at: T("11:00"), value: "300" },
];

describe("nextFloor", () => {
  it("starts the next run at this run's mark when nothing is open", () => {
    expect(nextFloor({ activity: activity(T("11:01")), marks, pending: [], horizonStart: T("10:01"), xmax: "1000" })).toEqual({ floor: "300", pending: [] });
  });

  it("reaches back to the mark before the oldest open transaction of this database, and names it", () => {
    const holder = open(7, T("10:30"));
    expect(nextFloor({ activity: activity(T("11:01"), [holder, open(8, T("08:00"), false, "5")]), marks, pending: [], horizonStart: T("08:30"), xmax: "1000" })).toEqual({ floor: "200", pending: [], holder });
  });

  it("stops waiting for a transaction open longer than the horizon, keeping the floor from before it began", () => {
    const r = nextFloor({ activity: activity(T("11:01"), [open(7, T("09:30")), open(9, T("10:30"))]), marks, pending: [], horizonStart: T("10:01"), xmax: "1000" });
    expect(r).toMatchObject({ floor: "200", pending: [{ pid: 7, since: T("09:30"), xid: "1000", floor: "100" }] });
    // Next time the pending transaction keeps the floor it was first given, even once its mark is gone.
    const again = nextFloor({ activity: activity(T("12:01"), [open(7, T("09:30"))]), marks: marks.slice(2), pending: r.pending, horizonStart: T("11:01"), xmax: "1000" });
    expect(again.pending).toEqual([{ pid: 7, since: T("09:30"), xid: "1000", floor: "100" }]);
  });

  it("has no floor when it cannot see every session, a prepared transaction is open, or no mark is old enough", () => {
    const hidden = nextFloor({ activity: activity(T("11:01"), [], { hidden: 2 }), marks, pending: [], horizonStart: T("10:01"), xmax: "1000" });
    expect([hidden.floor, hidden.unbounded]).toEqual([undefined, expect.stringContaining("hidden")]);
    expect(nextFloor({ activity: activity(T("11:01"), [], { prepared: 1 }), marks, pending: [], horizonStart: T("10:01"), xmax: "1000" }).floor).toBeUndefined();
    expect(nextFloor({ activity: activity(T("11:01"), [open(7, T("08:00"))]), marks, pending: [], horizonStart: T("07:00"), xmax: "1000" }).floor).toBeUndefined();
  });
});

describe("runFloors", () => {
  it("is the previous floor, lowered to that of every pending transaction that has ended", () => {
    const previous = { floor: "300", xmin: "900", pending: [{ pid: 7, since: T("09:30"), xid: "500", floor: "100" }, { pid: 8, since: T("09:40"), xid: "600", floor: "150" }] };
    // The ended one's rows carry its id: the bound goes back to it.
    expect(runFloors(previous, activity(T("12:00"), [open(7, T("09:30"))]))).toEqual({ floors: ["300", "150"], xmin: "600", ended: [previous.pending[1]] });
    // The same pid in a new transaction is not the pending one.
    expect(runFloors(previous, activity(T("12:00"), [open(7, T("11:59"))])).floors).toEqual(["300", "100", "150"]);
  });

  it("is unknown when the previous run left none, or an ended transaction had none", () => {
    expect(runFloors({}, activity(T("12:00"))).floors).toBeUndefined();
    expect(runFloors({ floor: "3", pending: [{ pid: 7, since: T("09:30"), xid: "5" }] }, activity(T("12:00"))).floors).toBeUndefined();
  });
});

describe("xidBound", () => {
  it("is the oldest open id, not counting other databases' transactions, or xmax when none is open", () => {
    const a = activity(T("12:00"), [open(1, T("08:00"), false, "100"), open(2, T("09:00"), true, "150")]);
    expect(xidBound(["100", "150", "180"], "200", a)).toBe("150");
    expect(xidBound(["100"], "200", a)).toBe("200");
    expect(xidBound([], "4294967396", activity(T("12:00")))).toBe("4294967396");
    // 64-bit ids of the snapshot against the 32-bit ids pg_locks shows.
    expect(xidBound(["4294967396", "4294967400"], "4294967500", activity(T("12:00"), [open(1, T("08:00"), false, "100")]))).toBe("4294967400");
  });
});

describe("widen", () => {
  it("puts a 32-bit id in the epoch of a 64-bit one no older than it", () => {
    expect(widen("100", "4294967396")).toBe("4294967396");
    expect(widen("4294967290", "4294967396")).toBe("4294967290");
    expect(widen("5", "10")).toBe("5");
  });
});

describe("marks", () => {
  it("keeps one mark from before the horizon and the rest inside it, at most max", () => {
    expect(keptMarks(marks, T("10:30")).map((m) => m.value)).toEqual(["200", "300"]);
    expect(keptMarks(marks, T("08:00"), 2).map((m) => m.value)).toEqual(["200", "300"]);
  });

  it("computes instants in the fixed format marks use", () => {
    expect(isoBefore("2026-12-03T11:00:00.123456Z", 3600)).toBe("2026-12-03T10:00:00.123000Z");
  });
});
