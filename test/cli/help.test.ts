// What a user typing the wrong thing is told: help for a command by name, and the command or
// flag they most likely meant.

import { describe, expect, it } from "vitest";
import { gitcron } from "../helpers/cli.js";

describe("help and typos", () => {
  it("gitcron help validate prints validate's help, as validate --help does", async () => {
    const [byTopic, byFlag] = await Promise.all([
      gitcron(["help", "validate"]),
      gitcron(["validate", "--help"]),
    ]);
    expect(byTopic.code).toBe(0);
    expect(byTopic.stdout).toMatch(/^Usage: gitcron validate/);
    expect(byTopic.stdout).toBe(byFlag.stdout);
  });

  it("an unknown command names the one it most likely meant", async () => {
    const ran = await gitcron(["vaildate", "."]);
    expect(ran).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'gitcron: unknown command "vaildate"; did you mean "validate"? run `gitcron --help` for the list.\n',
    });
  });

  it("an unknown flag names the one it most likely meant", async () => {
    const ran = await gitcron(["validate", "--fromat", "json", "."]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      "gitcron validate: Unknown option '--fromat'; did you mean --format?; see `gitcron validate --help`.\n",
    );
  });

  it("gitcron run on a folder is one sentence, not EISDIR", async () => {
    const ran = await gitcron(["run", "jobs.example"]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      "gitcron run: jobs.example is a folder; give one job file; see `gitcron run --help`.\n",
    );
  });
});
