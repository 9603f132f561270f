import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";

/** A maker of temporary directories that are all removed after the file's tests. */
export function tempDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return (prefix) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

/** A DEVSTACK_HOME of the file's own for its tests, the previous one restored and the directory removed after them. */
export function tempHome(prefix: string): string {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const saved = process.env.DEVSTACK_HOME;
  beforeAll(() => {
    process.env.DEVSTACK_HOME = home;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.DEVSTACK_HOME;
    else process.env.DEVSTACK_HOME = saved;
    rmSync(home, { recursive: true, force: true });
  });
  return home;
}
