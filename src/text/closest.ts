// "Did you mean": the known name a typo most likely meant, for unknown fields, commands and
// flags alike.

/** The allowed name a typo most likely meant: same letters ignoring case and `_`/`-`, or within 2 edits. */
export function closest(key: string, allowed: string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  const same = allowed.find((a) => squash(a) === squash(key));
  if (same) return same;
  let best: { name: string; distance: number } | undefined;
  for (const name of allowed) {
    const distance = editDistance(squash(key), squash(name));
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
