/**
 * Aggregator pure core: SMA-5/SMA-20 over ticks and tumbling 5-minute / 1-hour averages per
 * entity, as a state machine over the entity's rolling state (kept on its LatestTable item).
 *
 * Semantics (DESIGN §8): SMA-n is the mean of the last n ticks including the current one,
 * undefined until n ticks exist. The value is `price` for stocks and `tempC` for weather.
 *
 * | tick `ts` vs state `smaTs`   | effect                                   | why                                                    |
 * | ---------------------------- | ---------------------------------------- | ------------------------------------------------------ |
 * | no state yet, or `ts` newer  | applied: new SMAs, window updated        |                                                        |
 * | `ts` equal                   | skipped as `duplicate`                   | redelivery (RELIABILITY 2): never counted twice         |
 * | `ts` older                   | skipped as `out-of-order`                | an older tick must not rewrite history (RELIABILITY 8) |
 *
 * Ticks are taken in arrival order, not re-sorted per batch: the result then depends only on
 * the stream's order, not on where Lambda happened to cut (or bisect) the batches.
 * Windows use the event `ts` (replayed history lands in its own windows), aligned to the epoch.
 */

/** Ticks kept in the rolling state: enough for the longest SMA. */
export const SMA_LONG = 20;
export const SMA_SHORT = 5;

/** Tumbling window sizes and the pk suffix of their MetricsTable rows. */
export const WINDOWS = [
  { name: 'win5m', suffix: 'AVG5M', ms: 5 * 60_000 },
  { name: 'win1h', suffix: 'AVG1H', ms: 60 * 60_000 },
] as const;

export type WindowName = (typeof WINDOWS)[number]['name'];

export interface WindowState {
  /** Window start (ISO). */
  readonly start: string;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/** The aggregator-owned attributes of a LatestTable item (contracts.ts LatestItem). */
export interface RollingState {
  readonly smaTs?: string;
  /** Values of the last ≤ 20 applied ticks, oldest first. */
  readonly recent: readonly number[];
  readonly sma5?: number;
  readonly sma20?: number;
  readonly prevSma5?: number;
  readonly prevSma20?: number;
  readonly win5m?: WindowState;
  readonly win1h?: WindowState;
}

export const EMPTY_STATE: RollingState = { recent: [] };

export interface AggregatorTick {
  /** `STOCK#AAPL`. */
  readonly pk: string;
  readonly type: 'stock' | 'weather';
  /** ISO, ms precision (normalised). */
  readonly ts: string;
  readonly value: number;
  readonly sequenceNumber: string;
}

export interface AppliedStep {
  readonly tick: AggregatorTick;
  /** The state's `smaTs` before this tick (the optimistic-lock expectation). */
  readonly previousSmaTs: string | undefined;
  readonly state: RollingState;
}

export interface SkippedTick {
  readonly tick: AggregatorTick;
  readonly why: 'duplicate' | 'out-of-order';
}

export interface ApplyResult {
  readonly steps: readonly AppliedStep[];
  readonly skipped: readonly SkippedTick[];
}

function mean(values: readonly number[], n: number): number | undefined {
  if (values.length < n) return undefined;
  let sum = 0;
  for (let i = values.length - n; i < values.length; i++) sum += values[i]!;
  return sum / n;
}

function windowStart(ts: string, ms: number): string {
  return new Date(Math.floor(Date.parse(ts) / ms) * ms).toISOString();
}

function advanceWindow(current: WindowState | undefined, ts: string, value: number, ms: number): WindowState {
  const start = windowStart(ts, ms);
  if (!current || current.start !== start) return { start, count: 1, sum: value, min: value, max: value };
  return { start, count: current.count + 1, sum: current.sum + value, min: Math.min(current.min, value), max: Math.max(current.max, value) };
}

/** Applies one tick to the state (the tick is known to be newer than `state.smaTs`). */
export function step(state: RollingState, tick: AggregatorTick): RollingState {
  const recent = [...state.recent, tick.value].slice(-SMA_LONG);
  return {
    smaTs: tick.ts,
    recent,
    sma5: mean(recent, SMA_SHORT),
    sma20: mean(recent, SMA_LONG),
    prevSma5: state.sma5,
    prevSma20: state.sma20,
    win5m: advanceWindow(state.win5m, tick.ts, tick.value, WINDOWS[0].ms),
    win1h: advanceWindow(state.win1h, tick.ts, tick.value, WINDOWS[1].ms),
  };
}

/** Applies an entity's ticks, in arrival order, to its state. */
export function applyTicks(initial: RollingState, ticks: readonly AggregatorTick[]): ApplyResult {
  const steps: AppliedStep[] = [];
  const skipped: SkippedTick[] = [];
  let state = initial;
  for (const tick of ticks) {
    if (state.smaTs !== undefined && tick.ts <= state.smaTs) {
      skipped.push({ tick, why: tick.ts === state.smaTs ? 'duplicate' : 'out-of-order' });
      continue;
    }
    const previousSmaTs = state.smaTs;
    state = step(state, tick);
    steps.push({ tick, previousSmaTs, state });
  }
  return { steps, skipped };
}

/**
 * MetricsTable rows for applied steps, each a pure function of (state, tick) so rewriting one is
 * a no-op (unconditional BatchWrite is safe):
 * - `<entity>#SMA` / tick `ts`: `value`, `sma5`, `sma20` (absent while undefined);
 * - `<entity>#AVG5M` and `<entity>#AVG1H` / window start: `count`, `sum`, `avg`, `min`, `max`,
 *   `lastTs` — only the last state of each window touched (later steps supersede earlier ones).
 */
export function metricsRows(steps: readonly AppliedStep[], ttlDays = 30): Record<string, unknown>[] {
  const rows = new Map<string, Record<string, unknown>>();
  for (const { tick, state } of steps) {
    const expiresAt = Math.floor(Date.parse(tick.ts) / 1000) + ttlDays * 86_400;
    rows.set(`${tick.pk}#SMA|${tick.ts}`, {
      pk: `${tick.pk}#SMA`,
      ts: tick.ts,
      type: tick.type,
      value: tick.value,
      sma5: state.sma5,
      sma20: state.sma20,
      sequenceNumber: tick.sequenceNumber,
      expiresAt,
    });
    for (const w of WINDOWS) {
      const win = state[w.name]!;
      rows.set(`${tick.pk}#${w.suffix}|${win.start}`, {
        pk: `${tick.pk}#${w.suffix}`,
        ts: win.start,
        type: tick.type,
        windowEnd: new Date(Date.parse(win.start) + w.ms).toISOString(),
        count: win.count,
        sum: win.sum,
        avg: win.sum / win.count,
        min: win.min,
        max: win.max,
        lastTs: tick.ts,
        expiresAt,
      });
    }
  }
  return [...rows.values()];
}

/** Reads the rolling state back from a LatestTable item (absent attributes → empty state). */
export function stateFromItem(item: Record<string, unknown> | undefined): RollingState {
  if (!item) return EMPTY_STATE;
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  return {
    smaTs: typeof item.smaTs === 'string' ? item.smaTs : undefined,
    recent: Array.isArray(item.recent) ? (item.recent as unknown[]).filter((v): v is number => typeof v === 'number') : [],
    sma5: num(item.sma5),
    sma20: num(item.sma20),
    prevSma5: num(item.prevSma5),
    prevSma20: num(item.prevSma20),
    win5m: item.win5m as WindowState | undefined,
    win1h: item.win1h as WindowState | undefined,
  };
}
