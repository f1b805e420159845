// Labels that drive other programs (issue 25 item 8): a reverse proxy (Traefik) or compose reads
// a container's `traefik.*` / `com.docker.compose.*` labels, so a job passing them on could route
// the proxy's traffic for any host name to itself. Keys with a dotted (reverse-DNS) prefix are
// refused unless the agent's --allow-label names them.

import { describe, expect, it } from "vitest";
import { faultHooks, jobYaml, until } from "../faults/helpers/world.js";
import { engine } from "../helpers/docker.js";
import { readFileAt } from "../helpers/git.js";
import { watchMounts } from "./helpers.js";

const hooks = faultHooks();
const docker = engine();

const ROUTE = {
  "traefik.enable": "true",
  "traefik.http.routers.bank.rule": "Host(`bank.example`)",
  "com.docker.compose.project": "web",
};
const labelsYaml = (labels: Record<string, string>) =>
  `labels:\n${Object.entries(labels)
    .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}\n`)
    .join("")}`;

describe("issue 25 item 8: third-party control labels", () => {
  it("a job's traefik.* and com.docker.compose.* labels never reach a container", async () => {
    const w = await hooks.world("sec-labels", (p) => ({ "README.md": `${p}\n` }));
    const proxy = `${w.prefix}-proxy`;
    const plain = `${w.prefix}-plain`;
    const seen = await watchMounts(docker, w.prefix);
    const agent = await hooks.agent(w, { flags: { "allow-label": "com.example.*" } });
    await w.push(
      {
        [`${proxy}.yaml`]: jobYaml("*/2 * * * * *", "echo routed", labelsYaml(ROUTE)),
        [`${plain}.yaml`]: jobYaml(
          "*/2 * * * * *",
          "echo plain",
          labelsYaml({ team: "ops", "com.example.owner": "ops" }),
        ),
      },
      "labels",
    );
    await until("the plain job ran", async () =>
      (await w.runsOf(plain)).find((r) => r.outcome === "succeeded"),
    );
    // Settled: the proxy job either ran (the attack) or its file was rejected.
    const state = await until("the proxy job judged", async () => {
      const text = await readFileAt(w.remote.dir, "gitcron-status", "state.json");
      const ran = (await w.runsOf(proxy)).length > 0;
      return ran || text?.includes(`${proxy}.yaml`) ? (text ?? "") : undefined;
    });
    agent.signal("SIGTERM");
    await agent.exited;
    const containers = await seen.stop();
    const carried = containers.filter((c) =>
      Object.keys(c.labels).some((k) => k.startsWith("traefik.") || k.startsWith("com.docker.")),
    );
    expect(carried.map((c) => c.labels)).toEqual([]);
    expect(containers.filter((c) => c.job === proxy)).toEqual([]);
    const rejected = JSON.parse(state).rejected as { file: string; issues: { rule: string }[] }[];
    expect(rejected.find((r) => r.file === `${proxy}.yaml`)?.issues.map((i) => i.rule)).toEqual([
      "policy.label",
      "policy.label",
      "policy.label",
    ]);
    // Keys without a prefix, and prefixes the operator allows, still pass.
    expect(containers.find((c) => c.job === plain)?.labels).toMatchObject({
      team: "ops",
      "com.example.owner": "ops",
    });
    await w.finish({ "third-party control labels": 1 });
  });
});
