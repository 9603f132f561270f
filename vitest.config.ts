import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["test/support/global-setup.ts"],
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
      { extends: true, test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], testTimeout: 900_000, hookTimeout: 900_000 } },
    ],
  },
});
