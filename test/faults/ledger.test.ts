// The fault suite's ledger on made-up reports: each promise it checks can fail.

import { describe, expect, it } from "vitest";
import { summary } from "../status/fixtures.js";
import { checkLedger, type EngineReport } from "./helpers/ledger.js";

const engineSaw = (containers: Record<string, string[]>): EngineReport => ({
  maxLive: {},
  overlaps: [],
  ranRuns: new Set(Object.keys(containers)),
  containersOfRun: new Map(Object.entries(containers).map(([run, ids]) => [run, new Set(ids)])),
  present: new Set(),
  polls: 1,
});

describe("checkLedger", () => {
  const run = summary("a", 1);

  it("a run recorded once by one container passes", () => {
    const ledger = checkLedger([run], engineSaw({ [run.run]: ["c1"] }));
    expect([ledger.duplicates, ledger.ranTwice, ledger.lost]).toEqual([[], [], []]);
  });

  it("a tick run in two containers is named, though the branch holds one record", () => {
    expect(checkLedger([run], engineSaw({ [run.run]: ["c1", "c2"] })).ranTwice).toEqual([run.run]);
  });

  it("two ends of one run are duplicates, whatever their outcomes; a run with none is lost", () => {
    const failed = { ...run, outcome: "failed" as const, exitCode: 1 };
    const ledger = checkLedger([run, failed], engineSaw({ [run.run]: ["c1"], other: ["c2"] }));
    expect(ledger.duplicates).toEqual([`${run.run}#1`]);
    expect(ledger.lost).toEqual(["other"]);
  });
});
