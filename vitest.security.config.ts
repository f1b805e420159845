import { defineConfig } from "vitest/config";

// The security suite: each attack on the trust boundary (SPEC §4) reproduced against a real
// agent process, a real bare repository and the real engine, and shown blocked. Needs dist/
// (npm run build) and a Docker engine with the test image.
export default defineConfig({
  test: {
    // *.security.ts, not *.test.ts: `npm test` must not pick these up twice.
    include: ["test/security/**/*.security.ts"],
    globalSetup: ["test/faults/helpers/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    reporters: ["default"],
  },
});
