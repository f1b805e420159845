import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Docker- and Git-backed suites share one engine; two workers match the 2-core machines.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
