import { describe, expect, it } from "vitest";
import { parseRuns } from "../../src/status/last-runs.js";
import type { RunSummary } from "../../src/status/summary.js";
import { mergeRuns, mergeRunsText, runsText } from "../../src/status/tree.js";
import { summary } from "./fixtures.js";

/** What mergeRunsText must answer: the whole file parsed and merged. */
function reference(text: string, incoming: readonly RunSummary[], history: number) {
  const merged = mergeRuns(parseRuns(text, "runs.jsonl"), incoming, history);
  if (merged.fresh.length === 0) return null;
  const last = merged.runs.at(-1) as RunSummary;
  const lastStarted = last.startedAt ? undefined : merged.runs.filter((r) => r.startedAt).at(-1);
  return { text: runsText(merged.runs), fresh: merged.fresh, last, lastStarted };
}

const refuseToParse = (): RunSummary[] => {
  throw new Error("the whole file was parsed");
};

/** A small deterministic generator, so a failure names its case. */
function random(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((x / 2 ** 31) * n);
  };
}

describe("mergeRunsText", () => {
  it("appends a batch of new runs without parsing the lines it keeps", () => {
    const text = runsText([1, 2, 3, 4].map((n) => summary("a", n)));
    const merged = mergeRunsText(text, [summary("a", 5), summary("a", 6)], 5, refuseToParse);
    expect(merged).toEqual(reference(text, [summary("a", 5), summary("a", 6)], 5));
    expect(merged?.text.split("\n").filter(Boolean)).toHaveLength(5);
  });

  it("reads the whole file when the batch repeats a run, retries one, or is older than it", () => {
    const text = runsText([1, 2, 3].map((n) => summary("a", n)));
    const cases = [
      [summary("a", 3)],
      [summary("a", 3, { attempt: 2 })],
      [summary("a", 0, { run: "a-older-1" })],
      // A missed tick whose job's last start is among the lines kept as text.
      [summary("a", 4, { outcome: "missed", startedAt: null, finishedAt: null })],
    ];
    for (const batch of cases) {
      let parsed = 0;
      const merged = mergeRunsText(text, batch, 10, (t) => {
        parsed++;
        return parseRuns(t, "runs.jsonl");
      });
      expect(parsed).toBe(1);
      expect(merged).toEqual(reference(text, batch, 10));
    }
  });

  it("answers as mergeRuns does on 2,000 generated files and batches", () => {
    const pick = random(7);
    for (let c = 0; c < 2_000; c++) {
      const count = pick(8);
      const existing = Array.from({ length: count }, (_, i) => summary("j", i * 2));
      const text = count === 0 && pick(2) === 0 ? "" : runsText(existing);
      const batch: RunSummary[] = [];
      for (let b = pick(5); b > 0; b--) {
        const n = pick(count * 2 + 6);
        const kind = pick(5);
        if (kind === 0) batch.push(summary("j", n, { attempt: 2 }));
        else if (kind === 1)
          batch.push(summary("j", n, { outcome: "missed", startedAt: null, finishedAt: null }));
        else batch.push(summary("j", n));
      }
      const history = 1 + pick(10);
      const got = mergeRunsText(text, batch, history, (t) => parseRuns(t, "runs.jsonl"));
      expect(got, `case ${c}`).toEqual(reference(text, batch, history));
    }
  });
});

describe("mergeRuns: one record per run", () => {
  const unread = (n: number) =>
    summary("a", n, {
      outcome: "error",
      exitCode: null,
      reason: "the run's container was removed by someone else before its end could be read",
    });

  it("a second agent's record of a run already there is not added, whatever its outcome", () => {
    const there = [summary("a", 1)];
    for (const other of [summary("a", 1, { outcome: "failed", exitCode: 1 }), unread(1)]) {
      const merged = mergeRuns(there, [other], 10);
      expect(merged.fresh).toEqual([]);
      expect(merged.runs).toEqual(there);
    }
  });

  it("a record that read the exit code takes the place of one that could not", () => {
    const merged = mergeRuns([summary("a", 0), unread(1)], [summary("a", 1)], 10);
    expect(merged.fresh).toEqual([summary("a", 1)]);
    expect(merged.runs).toEqual([summary("a", 0), summary("a", 1)]);
  });

  it("a skipped or missed tick stays a record of its own beside the run's end", () => {
    const skipped = summary("a", 1, { outcome: "skipped", startedAt: null, finishedAt: null });
    expect(mergeRuns([summary("a", 1)], [skipped], 10).fresh).toEqual([skipped]);
  });
});
