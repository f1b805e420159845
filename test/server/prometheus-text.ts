// A small reader of the Prometheus text exposition format (0.0.4), strict enough that a
// malformed line fails the test instead of being skipped.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  /** The value of the one sample with this name and exactly these labels, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** All samples of a name. */
  series(name: string): Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  // Sticky: each pair must start where the last one ended.
  const pair = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;
  while (pair.lastIndex < text.length) {
    const m = pair.exec(text);
    if (!m) throw new Error(`bad labels in: ${line}`);
    labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_, c: string) =>
      c === "n" ? "\n" : c,
    );
  }
  return labels;
}

// Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
const numberOf = (text: string) =>
  /^nan$/i.test(text)
    ? Number.NaN
    : /^[+-]?inf$/i.test(text)
      ? Number(text.replace(/inf/i, "Infinity"))
      : Number(text);

export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ")) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    const m = SAMPLE.exec(line);
    const value = m ? numberOf(m[3] as string) : Number.NaN;
    if (!m || (Number.isNaN(value) && !/^nan$/i.test(m[3] as string)))
      throw new Error(`bad sample: ${line}`);
    samples.push({ name: m[1] as string, labels: parseLabels(m[2] ?? "", line), value });
  }
  const same = (a: Record<string, string>, b: Record<string, string>) =>
    Object.keys(a).length === Object.keys(b).length &&
    Object.entries(a).every(([k, v]) => b[k] === v);
  const series = (name: string) => samples.filter((s) => s.name === name);
  return {
    samples,
    types,
    series,
    value: (name, labels = {}) => {
      const found = series(name).filter((s) => same(s.labels, labels));
      if (found.length > 1)
        throw new Error(`${name} has ${found.length} samples with those labels`);
      return found[0]?.value;
    },
  };
}
