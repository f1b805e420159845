// Rejected files are told once across agents: what was told is read from the status branch at
// every lead, so an agent that leads again after another agent led does not repeat what the
// other told. The notifier on a real data folder, delivering to a real HTTP receiver; the
// status branch's list is given as the agent reads it at each lead.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import type { Issue } from "../../src/jobs/issues.js";
import { silentLogger } from "../../src/log.js";
import { createNotifier, type ToldOnBranch } from "../../src/notify/notifier.js";
import { parseTargets } from "../../src/notify/targets.js";
import { createRedactor } from "../../src/secrets/redactor.js";
import { startHttpReceiver } from "../faults/helpers/receiver.js";
import { eventually } from "../helpers/docker.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const typo = (file: string): Issue => ({
  file,
  line: 3,
  col: 1,
  severity: "error",
  rule: "schema.additionalProperties",
  message: 'unknown field "imagee"',
});
const rejection = (file: string, revision: string) => ({ file, issues: [typo(file)], revision });

async function startedNotifier(dataDir: string, url: string) {
  const notifier = createNotifier({
    dataDir,
    targets: parseTargets([url]),
    redactor: createRedactor([]),
    logger: silentLogger(),
    clock: systemClock,
    statusUrl: null,
    specs: () => [],
  });
  await notifier.start();
  cleanups.push(() => notifier.stop());
  return notifier;
}

it("an agent that leads again tells neither a rejection nor a fix that the agent leading meanwhile told", async () => {
  const receiver = await startHttpReceiver();
  cleanups.push(receiver.close);
  const dataDir = await mkdtemp(join(tmpdir(), "gitcron-rejected-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  let onBranch = [rejection("a.yaml", "rev1")];
  const notifier = await startedNotifier(dataDir, receiver.url);

  // This agent leads: a.yaml was told by the agent before it (the branch lists it).
  notifier.lead(Promise.resolve(onBranch));
  await notifier.observeRejections([rejection("a.yaml", "rev1")], "rev1");
  // Another agent leads for a while, and tells that a.yaml is fixed: the branch lists nothing.
  onBranch = [];
  // This agent leads again, at a revision where a.yaml is fixed.
  notifier.lead(Promise.resolve(onBranch));
  await notifier.observeRejections([], "rev2");
  // Something new to tell, so that what was told before it has arrived too.
  await notifier.observeRejections([rejection("b.yaml", "rev3")], "rev3");
  await eventually(async () => (receiver.received.length > 0 ? true : undefined));
  expect(receiver.received.map((m) => [m.json.event, m.json.job])).toEqual([
    ["rejected", "b.yaml"],
  ]);
});

it("a sync that ends while a new leader still reads the status branch waits for what was told", async () => {
  const receiver = await startHttpReceiver();
  cleanups.push(receiver.close);
  const dataDir = await mkdtemp(join(tmpdir(), "gitcron-rejected-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const notifier = await startedNotifier(dataDir, receiver.url);

  // A fresh data folder takes over; the branch, once read, says a.yaml was told.
  let branchRead: (list: ToldOnBranch) => void = () => {};
  notifier.lead(new Promise((resolve) => (branchRead = resolve)));
  const synced = notifier.observeRejections([rejection("a.yaml", "rev1")], "rev1");
  branchRead([rejection("a.yaml", "rev1")]);
  await synced;
  // Something new to tell, so that anything told before it has arrived too.
  await notifier.observeRejections(
    [rejection("a.yaml", "rev2"), rejection("b.yaml", "rev2")],
    "rev2",
  );
  await eventually(async () => (receiver.received.length > 0 ? true : undefined));
  expect(receiver.received.map((m) => [m.json.event, m.json.job])).toEqual([
    ["rejected", "b.yaml"],
  ]);
});
