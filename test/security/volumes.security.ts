// A job claims a volume name another application will use later (issue 25 item 7): the agent
// created a missing volume under the name the job chose, so when the application came and
// `docker volume create`d (or compose'd) that name, the engine handed it the job's volume — the
// job had planted its data and read the application's from then on. What the agent creates is
// now `gitcron-<agent id>-<name>`; a volume the agent made under the plain name before (labelled
// with its id) stays mounted under it, so no job loses its data on upgrade.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { volumeLabels } from "../../src/runtime/volumes.js";
import { faultHooks, jobYaml, until } from "../faults/helpers/world.js";
import { engine, TEST_IMAGE } from "../helpers/docker.js";
import { watchMounts } from "./helpers.js";

const run = promisify(execFile);
const hooks = faultHooks();
const docker = engine();

/** What the application does: `docker volume create` (compose does the same), then its own
 * container writes its secret and reads what it finds. */
async function applicationStarts(volume: string) {
  await run("docker", ["volume", "create", volume]);
  const { stdout } = await run("docker", [
    ...["run", "--rm", "-v", `${volume}:/data`, TEST_IMAGE, "sh", "-c"],
    "echo app-secret > /data/secret; cat /data/planted 2>/dev/null || echo clean",
  ]);
  return stdout.trim();
}

/** A job every two seconds running `script` with `volume` at /v. */
const volumeJob = (job: string, volume: string, script: string) => ({
  [`${job}.yaml`]: jobYaml(
    "*/2 * * * * *",
    script,
    `volumes:\n  - volume: ${volume}\n    path: /v\n`,
  ),
});

describe("issue 25 item 7: a job claims another application's future volume", () => {
  it("the agent creates its volumes under its own namespace; the application's stays its own", async () => {
    const w = await hooks.world("sec-volclaim", (p) => ({ "README.md": `${p}\n` }));
    const future = `${w.prefix}-appdata`;
    const job = `${w.prefix}-squat`;
    const mounts = await watchMounts(docker, w.prefix);
    const agent = await hooks.agent(w);
    await w.push(
      volumeJob(
        job,
        future,
        "echo planted > /v/planted; cat /v/secret 2>/dev/null || echo nothing",
      ),
      "claim a name",
    );
    await until("the job ran", async () =>
      (await w.runsOf(job)).find((r) => r.outcome === "succeeded"),
    );
    // The application arrives after the job: it must get a volume of its own.
    expect(await applicationStarts(future)).toBe("clean");
    const appCame = Date.now();
    const after = await until("a run after the application came", async () =>
      (await w.runsOf(job)).find(
        (r) => r.outcome === "succeeded" && Date.parse(r.startedAt ?? "") > appCame,
      ),
    );
    expect(after.logTail).toBe("nothing");
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    const seen = await mounts.stop();
    const names = new Set(seen.flatMap((c) => c.mounts.map((m) => m.name)));
    expect([...names]).toEqual([`gitcron-${agent.id}-${future}`]);
    const own = await docker.getVolume(`gitcron-${agent.id}-${future}`).inspect();
    expect(own.Labels).toMatchObject({ "gitcron.agent": agent.id, "gitcron.job": job });
    await w.finish({ "a job claims a future volume name": 1 });
  });

  it("a volume the agent made under the plain name before the upgrade is still mounted", async () => {
    const w = await hooks.world("sec-volkeep", (p) => ({ "README.md": `${p}\n` }));
    const volume = `${w.prefix}-reports`;
    const job = `${w.prefix}-report`;
    const agent = await hooks.agent(w);
    // As the release before created it for this agent: the plain name, the same labels.
    await docker.createVolume({ Name: volume, Labels: volumeLabels(agent.id, job) });
    await run("docker", [
      ...["run", "--rm", "-v", `${volume}:/data`, TEST_IMAGE, "sh", "-c"],
      "echo kept > /data/history",
    ]);
    await w.push(volumeJob(job, volume, "cat /v/history"), "a job with its old volume");
    const ran = await until("the job ran", async () =>
      (await w.runsOf(job)).find((r) => r.outcome === "succeeded"),
    );
    expect(ran.logTail).toBe("kept");
    agent.signal("SIGTERM");
    await agent.exited;
    await expect(docker.getVolume(`gitcron-${agent.id}-${volume}`).inspect()).rejects.toThrow();
    await w.finish({ "an upgraded agent keeps its volume": 1 });
  });
});
