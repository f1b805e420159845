// docs/alerts.yaml, the Prometheus rules the docs offer: Prometheus's own `promtool check rules`
// accepts them (the expressions parse, the durations and templates are valid; Debian's
// `prometheus` package, installed by scripts/test-env.sh), and every gitcron series a rule names
// is one the agent serves.

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createMetrics } from "../../src/server/metrics.js";
import { schedulerWith } from "../helpers/scheduler.js";

const ROOT = join(import.meta.dirname, "../..");

interface Rule {
  alert?: string;
  expr?: string;
}

/** `promtool check rules FILE`: its exit code and what it printed. */
async function promtool(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)("promtool", ["check", "rules", file]);
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (e.code === "ENOENT") throw new Error("promtool is not installed: run scripts/test-env.sh");
    return { code: Number(e.code), output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("docs/alerts.yaml", async () => {
  const text = await readFile(join(ROOT, "docs/alerts.yaml"), "utf8");
  const doc = parse(text) as { groups?: { name?: unknown; rules?: Rule[] }[] };
  const rules = (doc.groups ?? []).flatMap((g) => g.rules ?? []);

  it("is accepted by promtool check rules, every rule an alert", async () => {
    const checked = await promtool(join(ROOT, "docs/alerts.yaml"));
    expect(checked, checked.output).toMatchObject({ code: 0 });
    expect(checked.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(rules.length).toBeGreaterThanOrEqual(5);
    expect(rules.filter((r) => typeof r.alert !== "string")).toEqual([]);
  });

  it("promtool refuses a rule Prometheus could not load", async () => {
    // The check can fail: the same file with one expression broken is refused.
    const dir = await mkdtemp(join(tmpdir(), "gitcron-alerts-"));
    try {
      const broken = join(dir, "alerts.yaml");
      const expr = rules[0]?.expr as string;
      await writeFile(broken, text.replace(expr.trim(), `${expr.trim()} >`));
      const checked = await promtool(broken);
      expect(checked.code).toBe(1);
      expect(checked.output).toMatch(/parse error/);
    } finally {
      await rm(dir, { recursive: true, force: true });
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
