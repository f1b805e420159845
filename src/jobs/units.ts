// Memory sizes as job files write them (durations: text/duration.ts).

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
