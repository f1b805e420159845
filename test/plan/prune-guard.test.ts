import { describe, expect, it } from "vitest";
import { missingEnvOf } from "../../src/plan/missing-env.js";
import { activeJobOf, plan, plannedJobOf } from "../../src/plan/plan.js";
import { pruneHold } from "../../src/plan/prune-guard.js";
import { jobSpec } from "../helpers/spec-factory.js";

const REV = "0123456789abcdef0123456789abcdef01234567";
const specs = (...names: string[]) => names.map((name) => jobSpec({ name }));
/** The plan of going from `from` jobs to `to` jobs, as the agent makes it. */
const entries = (from: string[], to: string[]) =>
  plan(
    specs(...to).map(plannedJobOf),
    Object.fromEntries(specs(...from).map((s) => [s.name, activeJobOf(s)])),
  );
const hold = (from: string[], to: string[], more: { missing?: boolean; allowed?: string } = {}) =>
  pruneHold({
    entries: entries(from, to),
    jobsPathMissing: more.missing ?? false,
    jobsPath: "jobs",
    revision: REV,
    allowed: more.allowed,
  });

describe("pruneHold: a revision that removes all or most jobs waits to be confirmed", () => {
  it("holds a revision whose --path is gone, naming the path", () => {
    expect(hold(["a", "b"], [], { missing: true })).toBe(
      "--path jobs is not in revision 0123456789ab (was the folder moved or renamed?); it would remove all 2 jobs",
    );
  });

  it("holds removing every job, and more than half of 4 or more", () => {
    expect(hold(["a"], [])).toBe("revision 0123456789ab removes all 1 jobs");
    expect(hold(["a", "b", "c", "d"], ["a"])).toBe("revision 0123456789ab removes 3 of 4 jobs");
    expect(hold(["a", "b"], ["c", "d"])).toBe(
      "revision 0123456789ab removes all 2 jobs (and adds 2)",
    );
  });

  it("applies ordinary removals: half of 4, 2 of 3, any number added", () => {
    expect(hold(["a", "b", "c", "d"], ["a", "b"])).toBeNull();
    expect(hold(["a", "b", "c"], ["a"])).toBeNull();
    expect(hold(["a"], ["a", "b", "c"])).toBeNull();
    // A first sync (nothing applied) has nothing to lose.
    expect(hold([], [])).toBeNull();
    expect(hold([], [], { missing: true })).toBeNull();
  });

  it("applies the revision --allow-prune names (7+ characters), and only that one", () => {
    expect(hold(["a", "b"], [], { allowed: "0123456" })).toBeNull();
    expect(hold(["a", "b"], [], { missing: true, allowed: REV.toUpperCase() })).toBeNull();
    expect(hold(["a", "b"], [], { allowed: "012345" })).not.toBeNull();
    expect(hold(["a", "b"], [], { allowed: "fedcba9" })).not.toBeNull();
  });
});

describe("missingEnvOf: the fromEnv variables the agent lacks", () => {
  it("names each missing variable once, sorted; empty counts as set", () => {
    const spec = jobSpec({
      name: "backup",
      env: {
        A: { fromEnv: "SECRET_Z" },
        B: { fromEnv: "SECRET_A" },
        C: { fromEnv: "SECRET_Z" },
        D: { fromEnv: "SECRET_EMPTY" },
        E: { value: "plain" },
      },
    });
    expect(missingEnvOf(spec, { SECRET_EMPTY: "" })).toEqual(["SECRET_A", "SECRET_Z"]);
    expect(missingEnvOf(spec, { SECRET_A: "x", SECRET_Z: "y", SECRET_EMPTY: "" })).toEqual([]);
  });
});
