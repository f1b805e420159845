import { describe, expect, it } from "vitest";
import { namespacedVolume } from "../../src/runtime/volumes.js";

describe("namespacedVolume", () => {
  it("puts gitcron and the agent id before the job's name", () => {
    expect(namespacedVolume("1f76edbadc52", "reports")).toBe("gitcron-1f76edbadc52-reports");
  });

  it("keeps within the engine's 255 characters, two long names apart", () => {
    const a = namespacedVolume("1f76edbadc52", `${"x".repeat(250)}a`);
    const b = namespacedVolume("1f76edbadc52", `${"x".repeat(250)}b`);
    expect(a).toHaveLength(255);
    expect(a).toMatch(/^gitcron-1f76edbadc52-x+-[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
  });
});
