// What the agent will do with a revision, by its own rules: an invalid file keeps its job, a
// file taking an active job's name is the one rejected, a missing file removes its job.

import { describe, expect, it } from "vitest";
import { parseJobFile } from "../../src/jobs/parse.js";
import { defaultPolicy } from "../../src/jobs/policy.js";
import { activeJobOf } from "../../src/plan/plan.js";
import { planRevision } from "../../src/plan/revision.js";

const options = { policy: defaultPolicy(), defaultTimezone: "UTC" };
const job = (schedule: string, extra = "") => `schedule: "${schedule}"\nimage: busybox:1\n${extra}`;

/** state.json's active set for these files, as the agent would have written it. */
function activeOf(files: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(files).map(([file, text]) => {
      const { spec } = parseJobFile(text, file, options);
      if (!spec) throw new Error(`fixture ${file} is invalid`);
      return [spec.name, activeJobOf(spec)];
    }),
  );
}

const planOf = (files: Record<string, string>, active: ReturnType<typeof activeOf>) =>
  planRevision({
    files: Object.keys(files).sort(),
    read: async (file) => ({ text: files[file] as string }),
    active,
    options,
  });

const lines = (p: Awaited<ReturnType<typeof planOf>>) =>
  p.entries.map(
    (e) => `${e.action} ${e.job}${e.fields ? ` (${e.fields.join(",")})` : ""} ${e.file}`,
  );

describe("planRevision", () => {
  it("an invalid file keeps its active job as it runs: same, and the file rejected", async () => {
    const active = activeOf({ "alpha.yaml": job("0 3 * * *") });
    const planned = await planOf(
      { "alpha.yaml": job("0 3 * * *", "overlap: sometimes\n") },
      active,
    );
    expect(lines(planned)).toEqual(["same alpha alpha.yaml"]);
    expect(planned.rejections.map((r) => r.file)).toEqual(["alpha.yaml"]);
    expect(planned.kept).toEqual(["alpha"]);
  });

  it("a new file taking an active job's name is the one rejected; the job keeps its file", async () => {
    const files = { "delta.yaml": job("0 4 * * *") };
    const active = activeOf(files);
    const planned = await planOf(
      { ...files, "epsilon.yaml": job("0 5 * * *", "name: delta\n") },
      active,
    );
    expect(lines(planned)).toEqual(["same delta delta.yaml"]);
    expect(planned.rejections.map((r) => [r.file, r.issues.map((i) => i.rule)])).toEqual([
      ["epsilon.yaml", ["name.duplicate"]],
    ]);
    expect(planned.kept).toEqual([]);
  });

  it("two new files claiming one name are both rejected", async () => {
    const planned = await planOf(
      { "a.yaml": job("0 1 * * *", "name: twin\n"), "b.yaml": job("0 2 * * *", "name: twin\n") },
      {},
    );
    expect(lines(planned)).toEqual([]);
    expect(planned.rejections.map((r) => r.file)).toEqual(["a.yaml", "b.yaml"]);
  });

  it("changes name their fields, removals come from files no longer there", async () => {
    const active = activeOf({ "keep.yaml": job("0 3 * * *"), "gone.yaml": job("0 5 * * *") });
    const planned = await planOf(
      { "keep.yaml": job("30 3 * * *"), "new.yaml": job("0 6 * * *") },
      active,
    );
    expect(lines(planned)).toEqual([
      "remove gone gone.yaml",
      "change keep (schedule) keep.yaml",
      "add new new.yaml",
    ]);
  });
});
