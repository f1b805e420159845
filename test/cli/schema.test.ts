// `gitcron schema` prints the very file the validator uses.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);

describe("gitcron schema", () => {
  test("prints schema/job.schema.json, from any working directory", async () => {
    const { stdout } = await run(
      process.execPath,
      [path.join(ROOT, "dist/bin/gitcron.cjs"), "schema"],
      { cwd: "/" },
    );
    expect(stdout).toBe(readFileSync(path.join(ROOT, "schema/job.schema.json"), "utf8"));
    expect(JSON.parse(stdout).$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  test("takes no arguments", async () => {
    await expect(
      run(process.execPath, [path.join(ROOT, "dist/bin/gitcron.cjs"), "schema", "extra"]),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/gitcron schema: .*extra/),
    });
  });
});
