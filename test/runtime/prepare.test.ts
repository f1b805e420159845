// When the Docker runtime must know the image before it describes the container, and when it
// creates first and pulls only on the engine's 404, as `docker run` does.

import { describe, expect, test } from "vitest";
import { imageFirst } from "../../src/runtime/prepare.js";
import { jobSpec, runRequest } from "../helpers/spec.js";

describe("imageFirst", () => {
  test.each([
    ["a tagged image, baseline policy", "busybox:1.36", undefined, "baseline", false],
    ["a digest-pinned image", "busybox@sha256:0123", undefined, "baseline", false],
    [":latest is pulled every time", "busybox:latest", undefined, "baseline", true],
    ["an untagged image is :latest", "ghcr.io/acme/report", undefined, "baseline", true],
    [
      "restricted, no user: the image's USER is judged",
      "busybox:1.36",
      undefined,
      "restricted",
      true,
    ],
    ["restricted, the job names its user", "busybox:1.36", "1000:1000", "restricted", false],
  ] as const)("%s → %s", (_, image, user, level, expected) => {
    const spec = jobSpec({ name: "job", image, ...(user ? { user } : {}) });
    expect(imageFirst(runRequest(spec, { policy: { level } }))).toBe(expected);
  });
});
