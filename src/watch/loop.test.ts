import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RedeployLoop, type Batch } from "./loop.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function harness() {
  const batches: Batch[] = [];
  let release: (() => void) | undefined;
  const loop = new RedeployLoop(
    (batch) => {
      batches.push(batch);
      return new Promise<void>((resolve) => (release = resolve));
    },
    { debounceMs: 100 },
  );
  return { loop, batches, finish: () => release?.() };
}

describe("RedeployLoop", () => {
  it("coalesces changes within the debounce window into one redeploy", async () => {
    const { loop, batches } = harness();
    loop.notify("src/a.js", "source");
    await vi.advanceTimersByTimeAsync(50);
    loop.notify("src/b.js", "source");
    loop.notify("src/a.js", "source");
    await vi.advanceTimersByTimeAsync(99);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([{ paths: ["src/a.js", "src/b.js"], config: false }]);
  });

  it("runs one redeploy at a time and queues at most one, merged", async () => {
    const { loop, batches, finish } = harness();
    loop.notify("a", "source");
    await vi.advanceTimersByTimeAsync(100);
    expect(batches).toHaveLength(1);
    loop.notify("b", "source");
    await vi.advanceTimersByTimeAsync(100);
    loop.notify("c", "config");
    await vi.advanceTimersByTimeAsync(100);
    expect(batches).toHaveLength(1); // still running the first
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([
      { paths: ["a"], config: false },
      { paths: ["b", "c"], config: true },
    ]);
    finish();
    await vi.advanceTimersByTimeAsync(200);
    expect(batches).toHaveLength(2);
  });

  it("keeps going after a failed redeploy", async () => {
    const batches: string[][] = [];
    const loop = new RedeployLoop(
      async (batch) => {
        batches.push(batch.paths);
        if (batches.length === 1) throw new Error("build failed");
      },
      { debounceMs: 10 },
    );
    loop.notify("a", "source");
    await vi.advanceTimersByTimeAsync(10);
    loop.notify("b", "source");
    await vi.advanceTimersByTimeAsync(10);
    expect(batches).toEqual([["a"], ["b"]]);
  });

  it("does nothing after stop", async () => {
    const { loop, batches } = harness();
    loop.notify("a", "source");
    loop.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(batches).toEqual([]);
  });
});
