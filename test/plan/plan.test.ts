import { describe, expect, it } from "vitest";
import { DesiredJobs } from "../../src/plan/desired.js";
import { activeJobOf, plan, plannedJobOf, renderPlan } from "../../src/plan/plan.js";
import { jobSpec } from "../helpers/spec-factory.js";

const a = jobSpec({ name: "a" });
const b = jobSpec({ name: "b", schedule: "0 3 * * *" });
const c = jobSpec({ name: "c" });
/** The plan of full specs, as the agent makes it. */
const planOf = (desired: ReturnType<typeof jobSpec>[], act: Parameters<typeof plan>[1]) =>
  plan(desired.map(plannedJobOf), act);
const active = (...specs: ReturnType<typeof jobSpec>[]) =>
  Object.fromEntries(specs.map((s) => [s.name, activeJobOf(s)]));

describe("planOf(desired, active)", () => {
  it.each([
    {
      title: "everything new is added",
      desired: [a, b],
      active: {},
      want: [
        ["add", "a"],
        ["add", "b"],
      ],
    },
    {
      title: "nothing changed is the same",
      desired: [a, b],
      active: active(a, b),
      want: [
        ["same", "a"],
        ["same", "b"],
      ],
    },
    {
      title: "a job no longer desired is removed",
      desired: [a],
      active: active(a, c),
      want: [
        ["same", "a"],
        ["remove", "c"],
      ],
    },
    {
      title: "a moved file with the same spec is the same job",
      desired: [{ ...a, file: "x/a.yaml" }],
      active: active(a),
      want: [["same", "a"]],
    },
  ])("$title", ({ desired, active: act, want }) => {
    expect(planOf(desired, act).map((e) => [e.action, e.job])).toEqual(want);
  });

  it("a change names the fields that differ", () => {
    const changed = { ...b, schedule: "0 4 * * *", image: "other:2", env: { A: { value: "1" } } };
    expect(planOf([changed], active(b))).toEqual([
      { action: "change", job: "b", file: "b.yaml", fields: ["env", "image", "schedule"] },
    ]);
  });

  it("without field hashes a change is still a change", () => {
    const entries = planOf([{ ...b, image: "x" }], { b: { specHash: "old" } });
    expect(entries).toEqual([{ action: "change", job: "b", file: "b.yaml" }]);
  });

  it("applying a plan twice changes nothing the second time", () => {
    const desired = [a, { ...b, image: "new" }];
    let current = active(b, c);
    for (const e of planOf(desired, current)) {
      if (e.action === "remove") delete current[e.job];
      else current = { ...current, ...active(desired.find((s) => s.name === e.job) as typeof a) };
    }
    expect(planOf(desired, current).every((e) => e.action === "same")).toBe(true);
  });

  it("names changed fields as a job file does: timeout, startingDeadline, notify", () => {
    const changed = {
      ...b,
      timeoutMs: 60_000,
      startingDeadlineMs: 600_000,
      notifyOn: ["failure" as const],
    };
    expect(planOf([changed], active(b))).toEqual([
      {
        action: "change",
        job: "b",
        file: "b.yaml",
        fields: ["notify", "startingDeadline", "timeout"],
      },
    ]);
  });

  it("a job whose file was renamed names the file it came from", () => {
    const moved = { ...b, file: "jobs/b.yaml", image: "x" };
    expect(planOf([moved], active(b))).toMatchObject([
      { action: "change", file: "jobs/b.yaml", fromFile: "b.yaml", fields: ["image"] },
    ]);
  });

  it("renders each change old → new under its entry, and a field left out as (not set)", () => {
    const entries = planOf([{ ...b, image: "x" }], active(b)).map((e) => ({
      ...e,
      changes: [
        { field: "image", from: "busybox:1", to: "x" },
        { field: "timeout", to: "15m" },
        { field: "command", from: "[ a ]", to: "[ a ]" }, // the same text: nothing to show
      ],
    }));
    expect(renderPlan(entries).split("\n")).toEqual([
      "~ change b (image)  b.yaml",
      "    image: busybox:1 → x",
      "    timeout: (not set) → 15m",
      "0 to add, 1 to change, 0 to remove, 0 unchanged.",
    ]);
  });

  it("renders + ~ - = lines and a count", () => {
    const text = renderPlan(planOf([a, { ...b, image: "x" }], active(b, c)));
    expect(text.split("\n")).toEqual([
      "+ add    a  a.yaml",
      "~ change b (image)  b.yaml",
      "- remove c  c.yaml",
      "1 to add, 1 to change, 1 to remove, 0 unchanged.",
    ]);
  });
});

describe("the last good spec per file", () => {
  const parseOk = (spec: ReturnType<typeof jobSpec>) => async () => ({ spec, issues: [] });
  const invalid = async () => ({
    issues: [
      {
        file: "a.yaml",
        line: 2,
        col: 11,
        severity: "error" as const,
        rule: "schema.type",
        message: "bad",
      },
    ],
  });

  it("an invalid file is rejected and its job keeps the last good spec", async () => {
    const d = new DesiredJobs();
    await d.update({
      revision: "r1",
      changes: [{ path: "a.yaml", kind: "added" }],
      parse: parseOk(a),
    });
    await d.update({
      revision: "r2",
      changes: [{ path: "a.yaml", kind: "modified" }],
      parse: invalid,
    });
    expect(d.specs()).toEqual([a]);
    expect(d.byName().get("a")?.revision).toBe("r1");
    expect(d.rejections()).toMatchObject([
      { file: "a.yaml", revision: "r2", issues: [{ line: 2, rule: "schema.type" }] },
    ]);
  });

  it("a new invalid file starts nothing; a deleted file removes the job and its rejection", async () => {
    const d = new DesiredJobs();
    await d.update({
      revision: "r1",
      changes: [{ path: "a.yaml", kind: "added" }],
      parse: invalid,
    });
    expect(d.specs()).toEqual([]);
    await d.update({
      revision: "r2",
      changes: [{ path: "a.yaml", kind: "deleted" }],
      parse: invalid,
    });
    expect(d.rejections()).toEqual([]);
  });

  it("a new file that takes a running job's name is rejected; the running job stays", async () => {
    const d = new DesiredJobs();
    await d.update({
      revision: "r1",
      changes: [{ path: "a.yaml", kind: "added" }],
      parse: parseOk(a),
    });
    await d.update({
      revision: "r2",
      changes: [{ path: "copy.yaml", kind: "added" }],
      parse: parseOk({ ...a, file: "copy.yaml" }),
    });
    expect(d.specs().map((s) => s.file)).toEqual(["a.yaml"]);
    expect(d.rejections()).toMatchObject([
      { file: "copy.yaml", issues: [{ rule: "name.duplicate" }] },
    ]);
  });
});
