// Run ids and container names: derived from the job and the scheduled instant, so the engine's
// refusal of a second name is the lock per tick.

import { describe, expect, it, test } from "vitest";
import { containerNameFor, runIdFor, swarmName } from "../../src/runtime/names.js";

describe("names of a run", () => {
  const three = new Date("2026-03-29T03:00:00Z");
  const later = new Date("2026-03-29T03:00:01.500Z");

  test("a run id reads job, instant (UTC, to the second) and attempt", () => {
    expect(runIdFor("backup", three, 1)).toBe("backup-20260329T030000Z-1");
    expect(runIdFor("backup", later, 2)).toBe("backup-20260329T030001Z-2");
  });

  test("instants that alternate are each written as themselves (the last one is remembered)", () => {
    const ids = [three, later, three, three, later].map((at) => runIdFor("j", at, 1));
    expect(ids).toEqual([
      "j-20260329T030000Z-1",
      "j-20260329T030001Z-1",
      "j-20260329T030000Z-1",
      "j-20260329T030000Z-1",
      "j-20260329T030001Z-1",
    ]);
  });

  test("a container name carries the unix second, the attempt from the second on, and the agent id", () => {
    expect(containerNameFor("backup", three, 1, "0a1b2c3d4e5f")).toBe(
      "gitcron-backup-1774753200-0a1b2c3d4e5f",
    );
    expect(containerNameFor("backup", three, 3, "0a1b2c3d4e5f")).toBe(
      "gitcron-backup-1774753200-3-0a1b2c3d4e5f",
    );
  });
});

describe("swarmName", () => {
  it("keeps a name of 63 characters, and shortens a longer one to 63, the same each time", () => {
    const short = "a".repeat(63);
    expect(swarmName(short)).toBe(short);
    const long = `gitcron-${"b".repeat(63)}-1764676800-1f76edbadc52`;
    expect(swarmName(long)).toHaveLength(63);
    expect(swarmName(long)).toBe(swarmName(long));
    expect(swarmName(long)).not.toBe(swarmName(long.replace("1764676800", "1764676830")));
  });
});
