import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// The engine tiers spend most of their time waiting on containers, databases and child processes,
// so even a 2-core machine runs two of their files at once (measured: the cli and integration tiers
// took 616 s with two workers against 915 s with vitest's default of one on 2 cores). One count for
// every tier run together: vitest refuses projects of one group with different counts (unit and cli
// run together in .ci/run).
const workers = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    globalSetup: ["test/support/global-setup.ts"],
    maxWorkers: workers,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    // `npm test` runs the unit tier with --coverage: the flows, where a wrong decision costs most, must stay covered.
    coverage: { provider: "v8", include: ["src/flows/**/*.ts"], exclude: ["**/*.test.ts"], reporter: ["text"], thresholds: { lines: 90 } },
    projects: [
      { extends: true, test: { name: "unit", include: ["src/**/*.test.ts"] } },
      { extends: true, test: { name: "cli", include: ["test/cli/**/*.test.ts"], testTimeout: 30_000 } },
      {
        extends: true,
        test: { name: "integration", include: ["test/integration/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 180_000 },
      },
      // One cluster at a time, after the other tiers: each e2e file starts a k3s of its own.
      { extends: true, test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], testTimeout: 900_000, hookTimeout: 900_000, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
