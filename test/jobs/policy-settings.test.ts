// The policy from flags: --allow-host-path entries must not contain one another (a job that
// mounts the outer folder decides what the inner one is).

import { describe, expect, it } from "vitest";
import { policyFromSettings } from "../../src/jobs/policy-settings.js";

describe("--allow-host-path", () => {
  it.each([
    ["/srv/a,/srv/a/sub", "/srv/a/sub is inside /srv/a"],
    ["/srv/a/sub/,/srv/a", "/srv/a/sub is inside /srv/a"],
    ["/srv/x,/srv/a/../x/y", "/srv/x/y is inside /srv/x"],
    ["/,/srv", "/srv is inside /"],
  ])("refuses %s", (list, message) => {
    expect(() => policyFromSettings({ allowHostPath: list })).toThrow(message);
  });

  it("takes folders side by side, whatever their names share", () => {
    expect(policyFromSettings({ allowHostPath: "/srv/a, /srv/ab,/srv/b" }).allowHostPath).toEqual([
      "/srv/a",
      "/srv/ab",
      "/srv/b",
    ]);
  });
});
