// The release workflow (.github/workflows/release.yml) as GitHub reads it: valid by the
// published workflow schema (SchemaStore's github-workflow.json, as @action-validator/core
// carries it — a misspelt key is otherwise found by no one but GitHub, at tag time), and what
// a release promises — a tag v*, CI's script first, the npm package with provenance, the image
// for two architectures with an SBOM.

import { readFile } from "node:fs/promises";
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";

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

const text = () =>
  readFile(new URL("../../.github/workflows/release.yml", import.meta.url), "utf8");

async function workflow(): Promise<{ on: unknown; jobs: Record<string, Job> } & object> {
  return parse(await text());
}

/** What SchemaStore's workflow schema says of `source`: [] when valid, else each error's path
 * and detail. */
const schemaErrors = (source: string) =>
  validateWorkflow(source).errors.map(
    (e) => `${"path" in e ? e.path : ""}: ${e.detail ?? e.title}`,
  );

describe("the release workflow", () => {
  test("is valid by the published workflow schema, which refuses a misspelt key", async () => {
    const source = await text();
    expect(schemaErrors(source)).toEqual([]);
    // The schema is strict enough to catch what GitHub would only say at tag time.
    expect(
      schemaErrors(source.replace("timeout-minutes", "timeout-minute")).length,
    ).toBeGreaterThan(0);
    expect(schemaErrors(source.replace("runs-on:", "run-on:")).length).toBeGreaterThan(0);
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
