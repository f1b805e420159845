// The start-up warning for a listener that other machines can reach.

import { describe, expect, it } from "vitest";
import { exposureWarning } from "../../src/server/run-now.js";

const strong = "0123456789abcdef0123456789abcdef";

describe("exposureWarning", () => {
  it.each(["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "localhost"])(
    "a loopback listener (%s) needs no warning, with or without credentials",
    (host) => {
      expect(exposureWarning(host, {})).toBeUndefined();
      expect(exposureWarning(host, { apiToken: "short" })).toBeUndefined();
    },
  );

  it.each(["0.0.0.0", "::", "10.0.0.5", "agent.internal"])(
    "%s with neither a webhook secret nor an API token is warned about",
    (host) => {
      const warning = exposureWarning(host, {});
      expect(warning).toContain(`listening on ${host}`);
      expect(warning).toContain("neither --webhook-secret nor --api-token");
      expect(warning).toContain("127.0.0.1");
    },
  );

  it("a reachable listener with long random credentials needs no warning", () => {
    expect(exposureWarning("0.0.0.0", { webhookSecret: strong })).toBeUndefined();
    expect(exposureWarning("0.0.0.0", { apiToken: strong })).toBeUndefined();
    expect(exposureWarning("0.0.0.0", { webhookSecret: strong, apiToken: strong })).toBeUndefined();
  });

  it("a short credential on a reachable listener is named, the value is not", () => {
    const one = exposureWarning("0.0.0.0", { webhookSecret: strong, apiToken: "hunter2" });
    expect(one).toMatch(/^--api-token is shorter than 16 characters/);
    expect(one).not.toContain("hunter2");
    const both = exposureWarning("0.0.0.0", { webhookSecret: "abc", apiToken: "hunter2" });
    expect(both).toMatch(/^--webhook-secret and --api-token are shorter/);
  });
});
