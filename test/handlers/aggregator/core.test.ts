import { applyTicks, EMPTY_STATE, metricsRows, stateFromItem, type AggregatorTick } from '../../../handlers/aggregator/core';

const tick = (minute: number, value: number, seq = minute): AggregatorTick => ({
  pk: 'STOCK#AAPL',
  type: 'stock',
  ts: new Date(Date.parse('2026-11-20T14:00:00.000Z') + minute * 60_000).toISOString(),
  value,
  sequenceNumber: String(seq).padStart(4, '0'),
});
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('SMA windows at their start (DESIGN §8)', () => {
  const values = Array.from({ length: 21 }, (_, i) => i + 1);
  const { steps } = applyTicks(
    EMPTY_STATE,
    values.map((v, i) => tick(i, v)),
  );

  test.each<[number, number | undefined, number | undefined]>([
    [1, undefined, undefined],
    [4, undefined, undefined],
    [5, avg([1, 2, 3, 4, 5]), undefined],
    [6, avg([2, 3, 4, 5, 6]), undefined],
    [19, avg([15, 16, 17, 18, 19]), undefined],
    [20, avg([16, 17, 18, 19, 20]), avg(values.slice(0, 20))],
    [21, avg([17, 18, 19, 20, 21]), avg(values.slice(1, 21))],
  ])('after tick %d: sma5 %p, sma20 %p', (k, sma5, sma20) => {
    const s = steps[k - 1]!.state;
    expect([s.sma5, s.sma20]).toEqual([sma5, sma20]);
    expect([s.prevSma5, s.prevSma20]).toEqual(k === 1 ? [undefined, undefined] : [steps[k - 2]!.state.sma5, steps[k - 2]!.state.sma20]);
  });

  test('the rolling state keeps only the last 20 values', () => {
    expect(steps[20]!.state.recent).toEqual(values.slice(1));
  });
});

describe('duplicates and out-of-order ticks', () => {
  test.each<[string, AggregatorTick[], string[], string[]]>([
    ['in order', [tick(0, 1), tick(1, 2), tick(2, 3)], ['0000', '0001', '0002'], []],
    ['the same tick twice', [tick(0, 1), tick(1, 2), tick(1, 2, 9)], ['0000', '0001'], ['duplicate:0009']],
    ['an older tick after a newer one', [tick(0, 1), tick(2, 3), tick(1, 2)], ['0000', '0002'], ['out-of-order:0001']],
    ['a late tick older than everything', [tick(5, 1), tick(0, 9)], ['0005'], ['out-of-order:0000']],
  ])('%s', (_name, ticks, applied, skipped) => {
    const r = applyTicks(EMPTY_STATE, ticks);
    expect(r.steps.map((s) => s.tick.sequenceNumber)).toEqual(applied);
    expect(r.skipped.map((s) => `${s.why}:${s.tick.sequenceNumber}`)).toEqual(skipped);
  });

  test('resuming from a saved state skips what it already counted (redelivery)', () => {
    const first = applyTicks(EMPTY_STATE, [tick(0, 1), tick(1, 2), tick(2, 3)]);
    const saved = stateFromItem(JSON.parse(JSON.stringify(first.steps.at(-1)!.state)) as Record<string, unknown>);
    const again = applyTicks(saved, [tick(1, 2), tick(2, 3), tick(3, 4)]);
    expect(again.steps.map((s) => s.tick.sequenceNumber)).toEqual(['0003']);
    expect(again.steps[0]!.previousSmaTs).toBe('2026-11-20T14:02:00.000Z');
    expect(again.steps[0]!.state.win5m).toEqual({ start: '2026-11-20T14:00:00.000Z', count: 4, sum: 10, min: 1, max: 4 });
  });
});

describe('time windows', () => {
  test('a tick at the window boundary opens a new window', () => {
    const { steps } = applyTicks(EMPTY_STATE, [tick(3, 10), tick(4, 20), tick(5, 30)]);
    expect(steps.map((s) => s.state.win5m)).toEqual([
      { start: '2026-11-20T14:00:00.000Z', count: 1, sum: 10, min: 10, max: 10 },
      { start: '2026-11-20T14:00:00.000Z', count: 2, sum: 30, min: 10, max: 20 },
      { start: '2026-11-20T14:05:00.000Z', count: 1, sum: 30, min: 30, max: 30 },
    ]);
    expect(steps[2]!.state.win1h).toEqual({ start: '2026-11-20T14:00:00.000Z', count: 3, sum: 60, min: 10, max: 30 });
  });

  test('metricsRows: one SMA row per tick, the last state of each window', () => {
    const { steps } = applyTicks(EMPTY_STATE, [tick(3, 10), tick(4, 20), tick(5, 30)]);
    const rows = metricsRows(steps, 1);
    expect(rows.map((r) => `${r.pk}|${r.ts}|${r.count ?? r.value}`)).toEqual([
      'STOCK#AAPL#SMA|2026-11-20T14:03:00.000Z|10',
      'STOCK#AAPL#AVG5M|2026-11-20T14:00:00.000Z|2',
      'STOCK#AAPL#AVG1H|2026-11-20T14:00:00.000Z|3',
      'STOCK#AAPL#SMA|2026-11-20T14:04:00.000Z|20',
      'STOCK#AAPL#SMA|2026-11-20T14:05:00.000Z|30',
      'STOCK#AAPL#AVG5M|2026-11-20T14:05:00.000Z|1',
    ]);
    expect(rows[1]).toMatchObject({ avg: 15, min: 10, max: 20, lastTs: '2026-11-20T14:04:00.000Z', windowEnd: '2026-11-20T14:05:00.000Z' });
  });
});
