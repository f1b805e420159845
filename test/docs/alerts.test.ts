// docs/alerts.yaml, the Prometheus rules the docs offer: each rule has the shape Prometheus
// reads (promtool is not installed here, so the rule format is checked by hand), and every
// gitcron series a rule names is one the agent serves.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createMetrics } from "../../src/server/metrics.js";
import { schedulerWith } from "../helpers/scheduler.js";

const ROOT = join(import.meta.dirname, "../..");

interface Rule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: unknown;
  annotations?: unknown;
}

const isStringMap = (v: unknown) =>
  v === undefined ||
  (typeof v === "object" && v !== null && Object.values(v).every((x) => typeof x === "string"));

describe("docs/alerts.yaml", async () => {
  const text = await readFile(join(ROOT, "docs/alerts.yaml"), "utf8");
  const doc = parse(text) as { groups?: { name?: unknown; rules?: Rule[] }[] };
  const rules = (doc.groups ?? []).flatMap((g) => g.rules ?? []);

  it("is a list of groups of alerting rules, as Prometheus reads them", () => {
    expect(doc.groups?.length).toBeGreaterThan(0);
    for (const group of doc.groups ?? []) expect(typeof group.name).toBe("string");
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const rule of rules) {
      expect(typeof rule.alert, JSON.stringify(rule)).toBe("string");
      expect(rule.alert).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
      expect(typeof rule.expr).toBe("string");
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smhdwy]$/);
      expect(isStringMap(rule.labels)).toBe(true);
      expect(isStringMap(rule.annotations)).toBe(true);
      expect(
        Object.keys(rule).filter(
          (k) => !["alert", "expr", "for", "labels", "annotations"].includes(k),
        ),
      ).toEqual([]);
    }
  });

  it("names only series the agent serves, among them the last success and the notifications", async () => {
    const metrics = createMetrics({
      scheduler: schedulerWith([]).scheduler,
      sync: { errorCount: 0 },
      revision: () => null,
      processMetrics: false,
    });
    const served = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    metrics.close();
    const named = new Set(
      rules.flatMap((r) =>
        [...String(r.expr).matchAll(/\b(gitcron_[a-z_]+)/g)].map((m) =>
          (m[1] as string).replace(/_(bucket|sum|count)$/, ""),
        ),
      ),
    );
    expect([...named].filter((n) => !served.has(n))).toEqual([]);
    expect(named).toContain("gitcron_job_last_success_timestamp_seconds");
    expect(named).toContain("gitcron_notifications_total");
  });
});
