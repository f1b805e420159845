// Durations: as job files and agent flags write them (`90s`, `1h30m`, `7d1h`), and as a person
// reads an elapsed time (`7.5s`, `2m03s`).

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `"90s"`, `"15m"`, `"1h30m"`, `"2d"` → milliseconds; throws a RangeError naming the format.
 * Read character by character: every file has a few, and a regex with matchAll cost more than
 * the rest of the file's checks. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const notDuration = () =>
    new RangeError(`"${text}" is not a duration; write e.g. 90s, 15m, 1h30m or 2d`);
  let ms = 0;
  let amount = 0;
  let digits = 0;
  for (let i = 0; i < trimmed.length; i++) {
    const ch = trimmed[i] as string;
    if (ch >= "0" && ch <= "9") {
      amount = amount * 10 + (ch.charCodeAt(0) - 48);
      digits++;
      continue;
    }
    // "ms" before "m": an "s" right after an "m" can only be its second letter.
    const unit = ch === "m" && trimmed[i + 1] === "s" ? "ms" : ch;
    const factor = DURATION_UNITS_MS[unit];
    if (factor === undefined || digits === 0) throw notDuration();
    ms += amount * factor;
    i += unit.length - 1;
    amount = 0;
    digits = 0;
  }
  if (digits > 0 || trimmed === "") throw notDuration();
  if (!Number.isSafeInteger(ms)) throw new RangeError(`duration "${text}" is too long`);
  return ms;
}

/** Milliseconds as a job file writes a duration, largest units first: 7d1h, 26h is 1d2h. */
export function durationAsWritten(ms: number): string {
  let rest = ms;
  let text = "";
  for (const unit of ["d", "h", "m", "s", "ms"]) {
    const factor = DURATION_UNITS_MS[unit] as number;
    const amount = Math.floor(rest / factor);
    if (amount > 0) text += `${amount}${unit}`;
    rest -= amount * factor;
  }
  return text || "0s";
}

/** `412ms`, `7.5s`, `2m03s`, `1h05m`, `2d03h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(1))}s`;
  const whole = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (whole < 3600) return `${Math.floor(whole / 60)}m${pad(whole % 60)}s`;
  if (whole < 86_400) return `${Math.floor(whole / 3600)}h${pad(Math.floor((whole % 3600) / 60))}m`;
  return `${Math.floor(whole / 86_400)}d${pad(Math.floor((whole % 86_400) / 3600))}h`;
}
