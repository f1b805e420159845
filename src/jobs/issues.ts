// Validation findings are data; the CLI and the Action render them.

export type Severity = "error" | "warning";

export interface Issue {
  /** Path as given to the loader (relative to the working directory for the CLI). */
  file: string;
  /** 1-based line and column of the key or value at fault. */
  line: number;
  col: number;
  severity: Severity;
  /** Stable rule id, e.g. `schema.required`, `cron.years`, `policy.hostPath`. */
  rule: string;
  message: string;
  /** What to do about it, when there is something useful to say. */
  hint?: string;
}

export const hasErrors = (issues: readonly Issue[]): boolean =>
  issues.some((i) => i.severity === "error");
