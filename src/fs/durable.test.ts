import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeStaleTemps, writeDurable } from "./durable.js";

const dir = mkdtempSync(join(tmpdir(), "devstack-durable-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;
const old = (path: string) => utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

describe("writeDurable's temporary files", () => {
  it("are removed by the next write when the process that made them is gone and they are not brand new", () => {
    const file = join(dir, "state.json");
    const dead = deadPid();
    const leftovers = [`state.json.${dead}.0badc0de.tmp`, `state.json.prev.${dead}.tmp`];
    const young = `state.json.${deadPid()}.feedface.tmp`;
    const live = `state.json.${process.pid}.00000000.tmp`;
    for (const name of [...leftovers, young, live, "other.json.1.tmp"]) writeFileSync(join(dir, name), "x");
    for (const name of leftovers) old(join(dir, name));
    writeDurable(file, "{}", { keepPrevious: true });
    expect(readdirSync(dir).sort()).toEqual(["other.json.1.tmp", live, "state.json", young].sort());
    // Holding a lock on the file, a caller takes the young ones too.
    expect(removeStaleTemps(file, 0)).toEqual([young]);
  });
});
