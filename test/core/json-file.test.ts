// A JSON file kept between restarts, on a real file system.

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { jsonFile } from "../../src/core/json-file.js";
import { captureLogger } from "../runtime/capture-log.js";

const isCounts = (v: unknown): v is { n: number } =>
  typeof v === "object" && v !== null && typeof (v as { n?: unknown }).n === "number";

let dir = "";
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a JSON file kept between restarts", () => {
  it("is written into a folder that is not there yet (a standby's notify/ when it first leads)", async () => {
    dir = await mkdtemp(join(tmpdir(), "gitcron-json-"));
    const log = captureLogger();
    const file = jsonFile(join(dir, "notify", "health.json"), log.logger, isCounts);
    file.save(() => ({ n: 1 }));
    file.save(() => ({ n: 2 }));
    await file.flush();
    expect(JSON.parse(await readFile(join(dir, "notify", "health.json"), "utf8"))).toEqual({
      n: 2,
    });
    expect(log.records().filter((r) => Number(r.level) >= 50)).toEqual([]);
    expect(await file.load()).toEqual({ n: 2 });
  });
});
