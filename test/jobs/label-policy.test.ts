import { describe, expect, it } from "vitest";
import { labelRefused } from "../../src/jobs/policy-rules.js";

describe("labelRefused", () => {
  it.each([
    ["traefik.enable", [], true],
    ["com.docker.compose.project", [], true],
    ["io.kubernetes.pod.name", [], true],
    ["traefik.http.routers.x.rule", ["traefik.*"], false],
    ["com.docker.compose.project", ["traefik.*"], true],
    ["team", [], false],
    ["cost-center", [], false],
    // Reserved apart, as labels.reserved: no flag opens it.
    ["gitcron.job", [], false],
  ])("%s with --allow-label %j: %s", (key, allow, refused) => {
    expect(labelRefused(key, allow)).toBe(refused);
  });
});
