// Image inspections on the real engine: jobs of one image due together ask the engine once.

import { describe, expect, it } from "vitest";
import { connectDocker } from "../../src/runtime/connection.js";
import type { EngineClient } from "../../src/runtime/engine.js";
import { inspectImageInfo } from "../../src/runtime/images.js";
import { TEST_IMAGE } from "../helpers/docker.js";

function counting(engine: EngineClient) {
  const counted = {
    calls: 0,
    address: engine.address,
    call<T>(...args: Parameters<EngineClient["call"]>): Promise<T> {
      counted.calls++;
      return engine.call<T>(...args);
    },
    open: (...args: Parameters<EngineClient["open"]>) => engine.open(...args),
  };
  return counted;
}

describe("inspecting an image", () => {
  it("twenty at once are one request; one asked after they are answered is another", async () => {
    const engine = counting(connectDocker(process.env));
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => inspectImageInfo(engine, TEST_IMAGE)),
    );
    expect(engine.calls).toBe(1);
    expect(new Set(answers.map((a) => a.Id)).size).toBe(1);
    expect(answers[0]?.Id).toMatch(/^sha256:/);
    await inspectImageInfo(engine, TEST_IMAGE);
    expect(engine.calls).toBe(2);
  });

  it("an image the engine does not have fails every asker, and is asked again next time", async () => {
    const engine = counting(connectDocker(process.env));
    const missing = "gitcron-test/no-such-image:0";
    const results = await Promise.allSettled([
      inspectImageInfo(engine, missing),
      inspectImageInfo(engine, missing),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(engine.calls).toBe(1);
    await expect(inspectImageInfo(engine, missing)).rejects.toMatchObject({ statusCode: 404 });
    expect(engine.calls).toBe(2);
  });
});
