import { defineConfig } from "vitest/config";

// The fault suite: real agent processes killed, remotes moved away, the engine cut off.
// Needs dist/ (npm run build) and a Docker engine with the test image.
export default defineConfig({
  test: {
    // *.fault.ts, not *.test.ts: `npm test` (test/**/*.test.ts) must not pick these up.
    include: ["test/faults/**/*.fault.ts"],
    globalSetup: ["test/faults/helpers/global-setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 30_000,
    // Two workers on the 2-core machines: a third only made the agents' timing slower.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
