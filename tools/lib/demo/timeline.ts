/**
 * What the local pipeline did, second by second: the local counterparts of the CloudWatch
 * metrics behind generated/dashboards.yaml's pipeline widgets (API requests and latency, Kinesis
 * incoming records and iterator age, Lambda invocations/errors/duration, DynamoDB requests and
 * throttles, SNS publishes). The dashboard (dashboard.ts) draws them.
 */

export interface TimelineData {
  /** Epoch ms of second 0. */
  readonly startMs: number;
  /** Number of one-second buckets. */
  readonly seconds: number;
  /** Series name → per-second sum. */
  readonly sums: Readonly<Record<string, readonly number[]>>;
  /** Series name → per-second p50/p99/max of the samples (null where a second had none). */
  readonly stats: Readonly<
    Record<string, { readonly p50: readonly (number | null)[]; readonly p99: readonly (number | null)[]; readonly max: readonly (number | null)[] }>
  >;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export class Timeline {
  private readonly sums = new Map<string, number[]>();
  private readonly samples = new Map<string, number[][]>();
  private last = 0;

  constructor(readonly startMs: number = Date.now()) {}

  private second(at: number): number {
    const s = Math.max(0, Math.floor((at - this.startMs) / 1000));
    if (s > this.last) this.last = s;
    return s;
  }

  /** Adds `n` to the series in the second of `at`. */
  count(series: string, n = 1, at = Date.now()): void {
    const s = this.second(at);
    let list = this.sums.get(series);
    if (!list) {
      list = [];
      this.sums.set(series, list);
    }
    list[s] = (list[s] ?? 0) + n;
  }

  /** Records one sample (a latency, a duration) in the second of `at`. */
  sample(series: string, value: number, at = Date.now()): void {
    const s = this.second(at);
    let list = this.samples.get(series);
    if (!list) {
      list = [];
      this.samples.set(series, list);
    }
    const bucket = list[s] ?? [];
    list[s] = bucket;
    bucket.push(value);
  }

  /** The whole-run sum of every series whose name starts with `prefix`. */
  total(prefix: string): number {
    let n = 0;
    for (const [name, list] of this.sums) if (name.startsWith(prefix)) for (const v of list) n += v ?? 0;
    return n;
  }

  /** Every sample of a series, sorted (for whole-run percentiles). */
  allSamples(series: string): number[] {
    return (this.samples.get(series) ?? []).flatMap((s) => s ?? []).sort((a, b) => a - b);
  }

  toJSON(): TimelineData {
    const seconds = this.last + 1;
    const sums: Record<string, number[]> = {};
    for (const [name, list] of this.sums) sums[name] = Array.from({ length: seconds }, (_, i) => list[i] ?? 0);
    const stats: Record<string, { p50: (number | null)[]; p99: (number | null)[]; max: (number | null)[] }> = {};
    for (const [name, list] of this.samples) {
      const sorted = Array.from({ length: seconds }, (_, i) => (list[i] ? [...list[i]!].sort((a, b) => a - b) : undefined));
      stats[name] = {
        p50: sorted.map((s) => (s ? percentile(s, 50) : null)),
        p99: sorted.map((s) => (s ? percentile(s, 99) : null)),
        max: sorted.map((s) => (s ? s[s.length - 1]! : null)),
      };
    }
    return { startMs: this.startMs, seconds, sums, stats };
  }
}
