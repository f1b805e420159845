// The release workflow (.github/workflows/release.yml) as GitHub reads it: only keys the
// workflow syntax knows (a misspelt key is otherwise ignored by no one but GitHub, at tag time),
// and what a release promises — a tag v*, CI's script first, the npm package with provenance,
// the image for two architectures with an SBOM. Not SchemaStore's schema (no npm package ships
// it): the keys below are the documented ones this workflow may use.

import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";

const WORKFLOW_KEYS = [
  "name",
  "run-name",
  "on",
  "permissions",
  "env",
  "defaults",
  "concurrency",
  "jobs",
];
const JOB_KEYS = [
  "name",
  "needs",
  "runs-on",
  "permissions",
  "environment",
  "concurrency",
  "outputs",
  "env",
  "defaults",
  "if",
  "steps",
  "timeout-minutes",
  "strategy",
  "continue-on-error",
  "container",
  "services",
  "uses",
  "with",
  "secrets",
];
const STEP_KEYS = [
  "id",
  "if",
  "name",
  "uses",
  "run",
  "shell",
  "with",
  "env",
  "working-directory",
  "continue-on-error",
  "timeout-minutes",
];

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string;
  permissions?: Record<string, string>;
  steps: Step[];
}

const unknownKeys = (value: object, known: string[]) =>
  Object.keys(value).filter((k) => !known.includes(k));

async function workflow(): Promise<{ on: unknown; jobs: Record<string, Job> } & object> {
  const text = await readFile(
    new URL("../../.github/workflows/release.yml", import.meta.url),
    "utf8",
  );
  return parse(text);
}

describe("the release workflow", () => {
  test("uses only keys of GitHub's workflow syntax", async () => {
    const wf = await workflow();
    expect(unknownKeys(wf, WORKFLOW_KEYS)).toEqual([]);
    for (const [name, job] of Object.entries(wf.jobs)) {
      expect(unknownKeys(job, JOB_KEYS), `job ${name}`).toEqual([]);
      for (const step of job.steps) {
        expect(unknownKeys(step, STEP_KEYS), `a step of ${name}`).toEqual([]);
        expect(Boolean(step.uses) !== Boolean(step.run), `a step of ${name}: uses or run`).toBe(
          true,
        );
      }
    }
  });

  test("on a tag v*, runs CI's script, then publishes npm with provenance and a multi-arch image with an SBOM", async () => {
    const wf = await workflow();
    expect(wf.on).toEqual({ push: { tags: ["v*"] } });
    const runs = (job: Job) => job.steps.flatMap((s) => (s.run ? [s.run] : []));
    const action = (job: Job, name: string) =>
      job.steps.find((s) => s.uses?.startsWith(`${name}@`));

    const { test: ci, npm, image } = wf.jobs as Record<string, Job>;
    expect(runs(ci as Job)).toContain("sudo bash .ci/run");

    expect(npm?.needs).toBe("test");
    expect(npm?.permissions?.["id-token"]).toBe("write");
    expect(runs(npm as Job)).toEqual([
      "npm ci --no-audit --no-fund",
      "npm run build",
      "npm publish --provenance --access public",
    ]);

    expect(image?.needs).toBe("test");
    expect(image?.permissions?.packages).toBe("write");
    const build = action(image as Job, "docker/build-push-action");
    expect(build?.with).toMatchObject({
      file: "Dockerfile",
      platforms: "linux/amd64,linux/arm64",
      push: true,
      sbom: true,
    });
    expect(String(build?.with?.provenance)).toMatch(/^mode=max$|^true$/);
  });
});
