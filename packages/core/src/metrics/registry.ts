/** Label values of one series. */
export type Labels = Readonly<Record<string, string>>;

type Kind = 'counter' | 'gauge' | 'histogram';

interface Series {
  labels: Labels;
  value: number;
  counts?: number[];
  sum?: number;
}

interface Family {
  name: string;
  help: string;
  kind: Kind;
  buckets?: readonly number[];
  series: Map<string, Series>;
}

/** A counter: only goes up. */
export interface Counter {
  inc(labels?: Labels, by?: number): void;
  /** The series of these labels, found once: for a hot path that counts the same series again and again. */
  series(labels?: Labels): CounterSeries;
}
/** One series of a {@link Counter}. */
export interface CounterSeries {
  inc(by?: number): void;
}
/** A gauge: set to the current value. */
export interface Gauge {
  set(labels: Labels, value: number): void;
}
/** A histogram of observed values (e.g. durations in seconds). */
export interface Histogram {
  observe(labels: Labels, value: number): void;
  /** The series of these labels, found once (see {@link Counter.series}). */
  series(labels: Labels): HistogramSeries;
}
/** One series of a {@link Histogram}. */
export interface HistogramSeries {
  observe(value: number): void;
}

/** Holds metric families and renders them in the Prometheus text format (0.0.4). */
export interface MetricsRegistry {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram;
  /** The current value of a counter or gauge series (for tests and dashboards). */
  value(name: string, labels?: Labels): number | undefined;
  render(): string;
}

/** Default histogram buckets, in seconds. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/**
 * The series key of a label set, the same whatever order the labels were written in. Built in one
 * pass without intermediate arrays of strings: it runs for every counted request.
 */
const keyOf = (labels: Labels) => {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let key = '';
  for (const name of names) key += `${name}=${labels[name]}\u0000`;
  return key;
};
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const formatLabels = (labels: Labels, extra?: [string, string]) => {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
};
const formatNumber = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

/** Creates an empty registry. Asking twice for the same name returns the same family. */
export function createMetricsRegistry(): MetricsRegistry {
  const families = new Map<string, Family>();
  const family = (name: string, help: string, kind: Kind, buckets?: readonly number[]): Family => {
    if (!NAME.test(name)) throw new TypeError(`invalid metric name ${name}`);
    const existing = families.get(name);
    if (existing) {
      if (existing.kind !== kind) throw new TypeError(`metric ${name} is a ${existing.kind}, not a ${kind}`);
      return existing;
    }
    const f: Family = { name, help, kind, buckets, series: new Map() };
    families.set(name, f);
    return f;
  };
  const seriesOf = (f: Family, labels: Labels) => {
    const key = keyOf(labels);
    let s = f.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, value: 0, ...(f.kind === 'histogram' ? { counts: new Array(f.buckets!.length).fill(0), sum: 0 } : {}) };
      f.series.set(key, s);
    }
    return s;
  };
  return {
    counter(name, help) {
      const f = family(name, help, 'counter');
      const add = (s: Series, by: number) => {
        if (by < 0) throw new RangeError('a counter only goes up');
        s.value += by;
      };
      return {
        inc: (labels = {}, by = 1) => add(seriesOf(f, labels), by),
        series(labels = {}) {
          const s = seriesOf(f, labels);
          return { inc: (by = 1) => add(s, by) };
        },
      };
    },
    gauge(name, help) {
      const f = family(name, help, 'gauge');
      return { set: (labels, value) => void (seriesOf(f, labels).value = value) };
    },
    histogram(name, help, buckets = DEFAULT_BUCKETS) {
      const f = family(name, help, 'histogram', [...buckets].sort((a, b) => a - b));
      const record = (s: Series, value: number) => {
        s.value++;
        s.sum! += value;
        const buckets = f.buckets!;
        const counts = s.counts!;
        for (let i = 0; i < buckets.length; i++) if (value <= buckets[i]!) counts[i]!++;
      };
      return {
        observe: (labels, value) => record(seriesOf(f, labels), value),
        series(labels) {
          const s = seriesOf(f, labels);
          return { observe: (value) => record(s, value) };
        },
      };
    },
    value(name, labels = {}) {
      return families.get(name)?.series.get(keyOf(labels))?.value;
    },
    render() {
      const lines: string[] = [];
      for (const f of families.values()) {
        lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.kind}`);
        for (const s of f.series.values()) {
          if (f.kind !== 'histogram') {
            lines.push(`${f.name}${formatLabels(s.labels)} ${formatNumber(s.value)}`);
            continue;
          }
          f.buckets!.forEach((b, i) => lines.push(`${f.name}_bucket${formatLabels(s.labels, ['le', String(b)])} ${s.counts![i]}`));
          lines.push(`${f.name}_bucket${formatLabels(s.labels, ['le', '+Inf'])} ${s.value}`);
          lines.push(`${f.name}_sum${formatLabels(s.labels)} ${formatNumber(s.sum!)}`);
          lines.push(`${f.name}_count${formatLabels(s.labels)} ${s.value}`);
        }
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
