import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { readJsonOrQuarantine, writeFileAtomic } from "../../src/core/atomic.js";
import { createOutbox, entryId } from "../../src/status/outbox.js";
import { tempDirs } from "../helpers/git.js";
import { summary } from "./fixtures.js";

const temp = tempDirs("gitcron-outbox-");
afterEach(() => temp.cleanup());

/** A logger whose warnings the test can read. */
function recordingLogger() {
  const lines: { msg: string; [k: string]: unknown }[] = [];
  const logger = pino({ level: "warn" }, { write: (l: string) => lines.push(JSON.parse(l)) });
  return { logger, lines };
}

describe("atomic files", () => {
  it("replaces a file whole and leaves no temp file behind", async () => {
    const dir = await temp.make();
    const file = join(dir, "state.json");
    await writeFileAtomic(file, '{"a":1}');
    await writeFileAtomic(file, '{"a":2}');
    expect(await readFile(file, "utf8")).toBe('{"a":2}');
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("reads a missing file as null and a corrupt one as null, moving it aside with a warning", async () => {
    const dir = await temp.make();
    const { logger, lines } = recordingLogger();
    expect(await readJsonOrQuarantine(join(dir, "none.json"), logger)).toBeNull();
    await writeFile(join(dir, "state.json"), '{"version":1,"rev');
    expect(await readJsonOrQuarantine(join(dir, "state.json"), logger)).toBeNull();
    const names = await readdir(dir);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^state\.json\.corrupt-/);
    expect(lines.map((l) => l.msg)).toEqual(["corrupt file set aside"]);
  });
});

describe("the outbox", () => {
  it("hands back what was appended, oldest finish first, and forgets removed entries", async () => {
    const dir = join(await temp.make(), "outbox");
    const outbox = createOutbox({ dir, logger: recordingLogger().logger });
    const late = summary("b", 5);
    const early = summary("a", 1);
    await outbox.append(late);
    await outbox.append(early);
    const listed = await outbox.list();
    expect(listed.map((e) => e.summary)).toEqual([early, late]);
    await outbox.remove([listed[0]?.id as string]);
    expect((await outbox.list()).map((e) => e.summary)).toEqual([late]);
  });

  it("never confuses a retry or a skipped record with another record of the same tick", () => {
    const first = summary("etl", 0, { outcome: "failed", exitCode: 1 });
    const retry = summary("etl", 0, { attempt: 2, run: first.run.replace(/-1$/, "-2") });
    const skipped = summary("etl", 0, { outcome: "skipped", finishedAt: first.finishedAt });
    const ids = new Set([first, retry, skipped].map(entryId));
    expect(ids.size).toBe(3);
    expect(entryId(first)).toBe(`20261126T030007.900Z_${first.run}_1_failed.json`);
  });

  it("moves a corrupt entry and a half-written temp file to corrupt/ and keeps the rest", async () => {
    const dir = join(await temp.make(), "outbox");
    const { logger, lines } = recordingLogger();
    const outbox = createOutbox({ dir, logger });
    const good = summary("a", 1);
    await outbox.append(good);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "20261126T030000.000Z_a-x_1_failed.json"), '{"job":"a","ru');
    await writeFile(join(dir, "20261126T030001.000Z_a-y_1_failed.json"), '{"not":"a summary"}');
    await writeFile(join(dir, ".20261126T030002.000Z_a-z_1_failed.json.1a2b3c4d.tmp"), '{"jo');

    const listed = await outbox.list();
    expect(listed.map((e) => e.summary)).toEqual([good]);
    const corrupt = await readdir(join(dir, "corrupt"));
    expect(corrupt).toHaveLength(3);
    expect(lines.map((l) => l.msg).sort()).toEqual([
      "corrupt file set aside",
      "corrupt file set aside",
      "half-written outbox file set aside",
    ]);
    // Once set aside, the next read is clean and quiet.
    expect((await outbox.list()).map((e) => e.summary)).toEqual([good]);
    expect(lines).toHaveLength(3);
  });

  it("an entry missing any one field, or holding one of the wrong type, is set aside; the rest stay", async () => {
    const dir = join(await temp.make(), "outbox");
    const { logger } = recordingLogger();
    const outbox = createOutbox({ dir, logger });
    const good = summary("a", 1);
    await outbox.append(good);
    const base = summary("bad", 2) as unknown as Record<string, unknown>;
    const broken = [
      ...Object.keys(base).map((key) => {
        const { [key]: _dropped, ...rest } = base;
        return [`no-${key}`, rest] as const;
      }),
      ["outcome-unknown", { ...base, outcome: "owned" }],
      ["attempt-text", { ...base, attempt: "1" }],
      ["reason-number", { ...base, reason: 3 }],
      ["time-garbage", { ...base, scheduledAt: "yesterday" }],
      ["labels-nested", { ...base, labels: { a: { b: 1 } } }],
    ] as const;
    expect(broken.length).toBeGreaterThan(15);
    for (const [name, record] of broken)
      await writeFile(
        join(dir, `20261126T030000.000Z_${name}_1_failed.json`),
        JSON.stringify(record),
      );
    const listed = await outbox.list();
    expect(listed.map((e) => e.summary)).toEqual([good]);
    expect(await readdir(join(dir, "corrupt"))).toHaveLength(broken.length);
  });

  it("a list taken while appends are in flight sees them whole, never as half-written", async () => {
    const dir = join(await temp.make(), "outbox");
    const { logger, lines } = recordingLogger();
    const outbox = createOutbox({ dir, logger });
    const runs = Array.from({ length: 50 }, (_, i) => summary("burst", i));
    const appends = runs.map((s) => outbox.append(s));
    const listed = await outbox.list();
    await Promise.all(appends);
    expect(listed).toHaveLength(50);
    expect(lines).toEqual([]);
  });
});
