import { describe, it } from "vitest";

/**
 * An engine tier's describe: runs when the engine is there; otherwise skips
 * with one line naming what is missing, or fails when DEVSTACK_REQUIRE_ENGINES=1
 * (set by .ci/run, which installs every engine).
 */
export function describeWithEngine(engine: string, missing: string | undefined, title: string, body: () => void): void {
  if (missing === undefined) {
    describe(title, body);
    return;
  }
  if (process.env.DEVSTACK_REQUIRE_ENGINES === "1") {
    describe(title, () => {
      it(`needs ${engine}`, () => {
        throw new Error(`${engine} is required (DEVSTACK_REQUIRE_ENGINES=1) but missing: ${missing}`);
      });
    });
    return;
  }
  process.stderr.write(`skip: ${title}: ${engine} missing (${missing})\n`);
  describe.skip(`${title} [skipped: ${engine} missing: ${missing}]`, body);
}


/**
 * For a single test that needs a tool: true (skip) when the tool is missing,
 * except under DEVSTACK_REQUIRE_ENGINES=1, where the test runs and fails.
 */
export function skipWithout(tool: string, missing: boolean): boolean {
  if (!missing) return false;
  if (process.env.DEVSTACK_REQUIRE_ENGINES === "1") return false;
  process.stderr.write(`skip: a test needs ${tool}, which is missing\n`);
  return true;
}
