// The fault suite runs the built agent (dist/) as real processes, and sums up at the end what
// every test injected and what the ledger showed.

import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { MAIN } from "./agent-process.js";

declare module "vitest" {
  export interface ProvidedContext {
    tallyFile: string;
  }
}

export default async function setup(project: TestProject) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const dir = await mkdtemp(join(tmpdir(), "gitcron-faults-tally-"));
  const file = join(dir, "tally.jsonl");
  project.provide("tallyFile", file);
  return async () => {
    const text = await readFile(file, "utf8").catch(() => "");
    const lines = text
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const faults: Record<string, number> = {};
    const total = {
      records: 0,
      containersSeen: 0,
      duplicates: 0,
      ranTwice: 0,
      lost: 0,
      leftUnrecorded: 0,
      unseen: 0,
      maxLive: 0,
    };
    for (const l of lines) {
      for (const [k, n] of Object.entries(l.faults as Record<string, number>))
        faults[k] = (faults[k] ?? 0) + n;
      total.records += l.ledger.records;
      total.containersSeen += l.ledger.containersSeen;
      total.duplicates += l.ledger.duplicates;
      total.ranTwice += l.ledger.ranTwice;
      total.lost += l.ledger.lost;
      total.leftUnrecorded += l.ledger.leftUnrecorded;
      total.unseen += l.ledger.unseen;
      total.maxLive = Math.max(total.maxLive, l.ledger.maxLive);
    }
    console.log(
      `\nfault suite: ${lines.length} tests\n  faults injected: ${JSON.stringify(faults)}\n  ledger: ${JSON.stringify(total)}`,
    );
    for (const l of lines)
      console.log(
        `  ${l.test}: ${JSON.stringify(l.ledger)}${l.notes ? ` ${JSON.stringify(l.notes)}` : ""}`,
      );
    await rm(dir, { recursive: true, force: true });
  };
}
