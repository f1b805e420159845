// The fault suite's ledger on made-up engine event streams and status records: each promise
// it checks can fail.

import { describe, expect, it } from "vitest";
import { LABEL } from "../../src/runtime/names.js";
import type { RunSummary } from "../../src/status/summary.js";
import { summary } from "../status/fixtures.js";
import { type EngineEvent, foldEngineEvents, unexplained } from "./helpers/engine-events.js";
import { checkLedger } from "./helpers/ledger.js";

const PREFIX = "gct-flt-1a2b3c";

/** One container's events in order, a second apart from `at`: [action, second] pairs. */
function container(
  id: string,
  job: string,
  run: string,
  actions: [string, number][],
): EngineEvent[] {
  return actions.map(([Action, second]) => ({
    Action,
    Actor: { ID: id, Attributes: { [LABEL.job]: job, [LABEL.run]: run, name: `gitcron-${id}` } },
    timeNano: 1_760_000_000_000_000_000 + second * 1e9,
  }));
}

/** A container that was created, ran from `start` to `die` and was removed. */
const ran = (id: string, job: string, run: string, start: number, die: number) =>
  container(id, job, run, [
    ["create", start - 0.1],
    ["start", start],
    ["die", die],
    ["destroy", die + 0.1],
  ]);

const job = `${PREFIX}-tick`;
const records = [1, 2, 3].map((n) => summary(job, n));
const [one, two, three] = records.map((r) => r.run) as [string, string, string];

/** The ledger of `events` against `branch`. */
const ledgerOf = (events: EngineEvent[], branch: readonly RunSummary[] = records) =>
  checkLedger(branch, foldEngineEvents(events, PREFIX));

describe("the ledger from the engine's events", () => {
  it("runs one after another, each recorded once, pass every check", () => {
    const ledger = ledgerOf([
      ...ran("c1", job, one, 0, 1),
      ...ran("c2", job, two, 2, 3),
      ...ran("c3", job, three, 4, 5),
    ]);
    expect(ledger).toMatchObject({
      duplicates: [],
      ranTwice: [],
      lost: [],
      leftUnrecorded: [],
      unseen: [],
      maxLive: 1,
      overlaps: [],
      containersSeen: 3,
    });
  });

  it("two containers of one job between start and die at once are an overlap", () => {
    const ledger = ledgerOf([
      ...ran("c1", job, one, 0, 3),
      ...ran("c2", job, two, 2, 4),
      ...ran("c3", job, three, 5, 6),
    ]);
    expect(ledger.maxLive).toBe(2);
    expect(ledger.overlaps).toEqual([`${one} + ${two}`]);
  });

  it("a start right after the other's die, or two jobs at once, is no overlap", () => {
    const other = `${PREFIX}-other`;
    const otherRun = summary(other, 1);
    const ledger = ledgerOf(
      [
        ...ran("c1", job, one, 0, 2),
        ...ran("c2", job, two, 2.001, 3),
        ...ran("c3", other, otherRun.run, 0.5, 2.5),
      ],
      [...records.slice(0, 2), otherRun],
    );
    expect([ledger.maxLive, ledger.overlaps]).toEqual([1, []]);
  });

  it("engines' events interleave by time: a run on each engine at once is an overlap", () => {
    // Each engine's stream in its own order, one after the other, as the watch gathers them.
    const first = [...ran("c1", job, one, 0, 5)];
    const second = [...ran("c2", job, two, 3, 4), ...ran("c3", job, three, 6, 7)];
    const ledger = ledgerOf([...first, ...second]);
    expect(ledger.overlaps).toEqual([`${one} + ${two}`]);
  });

  it("a tick started in two containers is run twice, though the branch holds one record", () => {
    const ledger = ledgerOf(
      [...ran("c1", job, one, 0, 1), ...ran("c2", job, one, 2, 3)],
      [records[0] as RunSummary],
    );
    expect(ledger.ranTwice).toEqual([one]);
  });

  it("a run that started and was removed with no record is lost", () => {
    const ledger = ledgerOf(
      [...ran("c1", job, one, 0, 1), ...ran("c2", job, two, 2, 3)],
      [records[0] as RunSummary],
    );
    expect([ledger.lost, ledger.leftUnrecorded]).toEqual([[two], []]);
  });

  it("a container still in the engine with no record is left unrecorded, not lost", () => {
    const exited = container("c2", job, two, [
      ["create", 1.9],
      ["start", 2],
      ["die", 3],
    ]);
    const ledger = ledgerOf([...ran("c1", job, one, 0, 1), ...exited], [records[0] as RunSummary]);
    expect([ledger.lost, ledger.leftUnrecorded]).toEqual([[], [two]]);
  });

  it("a container created and never started is present, and no run the engine ran", () => {
    const created = container("c2", job, two, [["create", 2]]);
    const report = foldEngineEvents([...ran("c1", job, one, 0, 1), ...created], PREFIX);
    expect([...report.present]).toEqual([two]);
    expect([...report.ranRuns]).toEqual([one]);
  });

  it("a run recorded as run that no engine started is unseen; an error record never ran", () => {
    const error: RunSummary = { ...summary(job, 4), outcome: "error", exitCode: null };
    const timeout: RunSummary = { ...summary(job, 5), outcome: "timeout", exitCode: null };
    const ledger = ledgerOf(
      [...ran("c1", job, one, 0, 1), ...container("c2", job, two, [["create", 2]])],
      [...records, error, timeout],
    );
    expect(ledger.unseen).toEqual([two, three, timeout.run]);
  });

  it("a record the test itself put in the agent's outbox is not unseen", () => {
    const report = foldEngineEvents(ran("c1", job, one, 0, 1), PREFIX);
    expect(checkLedger(records.slice(0, 2), report, { planted: [two] }).unseen).toEqual([]);
  });

  it("two ends of one run are duplicates, whatever their outcomes", () => {
    const failed: RunSummary = { ...(records[0] as RunSummary), outcome: "failed", exitCode: 1 };
    const ledger = ledgerOf(ran("c1", job, one, 0, 1), [records[0] as RunSummary, failed]);
    expect(ledger.duplicates).toEqual([`${one}#1`]);
  });

  it("another test's containers are not this test's", () => {
    const stranger = `gct-flt-ffffff-tick`;
    const ledger = ledgerOf(
      [...ran("c1", job, one, 0, 3), ...ran("c9", stranger, "x-1", 1, 2)],
      [records[0] as RunSummary],
    );
    expect([ledger.lost, ledger.overlaps, ledger.containersSeen]).toEqual([[], [], 1]);
  });
});

describe("the events against the engine's own listing", () => {
  const listedAt = 1_760_000_000_000_000_000 + 10e9;

  it("agree when what was created and not destroyed is what the engine lists", () => {
    const events = [...ran("c1", job, one, 0, 1), ...container("c2", job, two, [["create", 2]])];
    expect(unexplained(events, PREFIX, [{ id: "c2", job }], listedAt)).toEqual([]);
  });

  it("a listed container the events never created is a missed event", () => {
    const missing = unexplained(ran("c1", job, one, 0, 1), PREFIX, [{ id: "c2", job }], listedAt);
    expect(missing).toEqual([`container c2 of ${job} is in the engine, never created`]);
  });

  it("a container created before the listing, not destroyed and not listed, is a missed event", () => {
    const events = [...container("c1", job, one, [["create", 0]])];
    expect(unexplained(events, PREFIX, [], listedAt)).toEqual([
      "container c1 is gone from the engine, never destroyed",
    ]);
    // Created while the engine was being listed: the listing may not show it yet.
    const late = [...container("c1", job, one, [["create", 11]])];
    expect(unexplained(late, PREFIX, [], listedAt)).toEqual([]);
  });
});
