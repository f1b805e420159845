// Durations and memory sizes as job files and agent flags write them.

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;
const DURATION_PART = /(\d+)(ms|s|m|h|d)/g;

/** `"90s"`, `"15m"`, `"1h30m"`, `"2d"` → milliseconds; throws a RangeError naming the format. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) {
    throw new RangeError(`"${text}" is not a duration; write e.g. 90s, 15m, 1h30m or 2d`);
  }
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(DURATION_PART)) {
    ms += Number(amount) * (DURATION_UNITS_MS[unit as string] ?? 0);
  }
  if (!Number.isSafeInteger(ms)) throw new RangeError(`duration "${text}" is too long`);
  return ms;
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

const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/;

/** `"256Mi"`, `"1Gi"`, `"512M"`, bytes (number or digits) → bytes, rounded down. */
export function parseMemory(value: string | number): number {
  const match = MEMORY.exec(String(value).trim());
  if (!match) {
    throw new RangeError(`"${value}" is not a memory size; write e.g. 256Mi, 1Gi, 512M or bytes`);
  }
  const bytes = Math.floor(Number(match[1]) * (MEMORY_UNITS[match[2] ?? ""] ?? 1));
  if (!Number.isSafeInteger(bytes)) throw new RangeError(`memory size "${value}" is too large`);
  return bytes;
}
