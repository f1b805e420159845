// Durations and memory sizes as job files and agent flags write them.

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
export function formatDuration(ms: number): string {
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

const MEMORY_UNITS: Record<string, number> = {
  "": 1,
  k: 1_000,
  K: 1_000,
  M: 1_000_000,
  G: 1_000_000_000,
  T: 1_000_000_000_000,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

export const MEMORY_SIZE = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/;

/** `"256Mi"`, `"1Gi"`, `"512M"`, bytes (number or digits) → bytes, rounded down. */
export function parseMemory(value: string | number): number {
  const match = MEMORY_SIZE.exec(String(value).trim());
  if (!match) {
    throw new RangeError(`"${value}" is not a memory size; write e.g. 256Mi, 1Gi, 512M or bytes`);
  }
  const bytes = Math.floor(Number(match[1]) * (MEMORY_UNITS[match[2] ?? ""] ?? 1));
  if (!Number.isSafeInteger(bytes)) throw new RangeError(`memory size "${value}" is too large`);
  return bytes;
}
