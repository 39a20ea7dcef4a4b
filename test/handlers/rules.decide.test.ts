import type { LatestItem } from '../../handlers/lib/contracts';
import { alertDay, alertKey, decide, type Thresholds } from '../../handlers/rules/decide';

/** Test thresholds (not the deployed defaults: those are the root parameters'). */
const T: Thresholds = { stockDropPercent: 10, heatThresholdC: 35, coldThresholdC: -10, windThresholdKph: 60, precipThresholdMm: 10 };

function stock(overrides: Partial<LatestItem> = {}): LatestItem {
  return { pk: 'STOCK#AAPL', type: 'stock', symbol: 'AAPL', ts: '2026-11-20T14:30:00.000Z', price: 100, prevClose: 100, ...overrides };
}
function weather(overrides: Partial<LatestItem> = {}): LatestItem {
  return {
    pk: 'WEATHER#Amsterdam',
    type: 'weather',
    city: 'Amsterdam',
    ts: '2026-11-20T14:00:00.000Z',
    tempC: 12,
    windKph: 10,
    precipMm: 0,
    humidity: 80,
    ...overrides,
  };
}
const OLD_TS = '2026-11-20T14:29:00.000Z';

describe('stock drop: (price − prevClose)/prevClose ≤ −threshold', () => {
  test.each([
    // [label, price, prevClose, fires]
    ['exactly −10 % (90 vs 100)', 90, 100, true],
    ['exactly −10 % with float noise (0.9 vs 1)', 0.9, 1, true],
    ['exactly −10 % with float noise (181.8 vs 202)', 181.8, 202, true],
    ['−10.01 %', 89.99, 100, true],
    ['−50 %', 50, 100, true],
    ['−9.99 %', 90.01, 100, false],
    ['−9.999 %', 90.001, 100, false],
    ['unchanged', 100, 100, false],
    ['a rise', 120, 100, false],
  ])('%s', (_label, price, prevClose, fires) => {
    const alerts = decide(stock({ ts: OLD_TS }), stock({ price, prevClose }), T);
    const drop = alerts.find((a) => a.rule === 'stock-drop');
    expect(drop !== undefined).toBe(fires);
    if (drop) {
      expect(drop).toMatchObject({ entity: 'STOCK#AAPL', ts: '2026-11-20T14:30:00.000Z', values: { price, prevClose, thresholdPercent: 10 } });
      expect(drop.values.changePct).toBeCloseTo(((price - prevClose) / prevClose) * 100, 3);
      expect(drop.message).toContain('AAPL fell');
      expect(drop.message).toContain(String(price));
    }
  });

  test.each([
    ['threshold 5 %, −5 %', 5, 95, true],
    ['threshold 5 %, −4.99 %', 5, 95.01, false],
    ['threshold 0 %, any fall', 0, 99.99, true],
    ['threshold 0 %, unchanged counts (≤ 0)', 0, 100, true],
    ['threshold 100 %, −99 %', 100, 1, false],
  ])('%s', (_label, pct, price, fires) => {
    const alerts = decide(undefined, stock({ price, prevClose: 100 }), { ...T, stockDropPercent: pct });
    expect(alerts.some((a) => a.rule === 'stock-drop')).toBe(fires);
  });

  test.each([
    ['ts unchanged (aggregator-only update)', stock({ price: 80 }), stock({ price: 80, sma5: 1 }), false],
    ['INSERT (no old image)', undefined, stock({ price: 80 }), true],
    ['ts changed', stock({ ts: OLD_TS, price: 80 }), stock({ price: 80 }), true],
    ['prevClose 0 (no data)', undefined, stock({ price: 80, prevClose: 0 }), false],
    ['prevClose missing', undefined, stock({ price: 80, prevClose: undefined }), false],
    ['price missing', undefined, stock({ price: undefined }), false],
  ])('%s', (_label, oldImage, newImage, fires) => {
    expect(decide(oldImage, newImage, T).some((a) => a.rule === 'stock-drop')).toBe(fires);
  });
});

describe('SMA5/SMA20 crosses (judged when smaTs changed)', () => {
  const SMA_TS = '2026-11-20T14:30:00.000Z';
  const sma = (prevSma5: number | undefined, prevSma20: number | undefined, sma5: number | undefined, sma20: number | undefined): Partial<LatestItem> => ({
    prevSma5,
    prevSma20,
    sma5,
    sma20,
    smaTs: SMA_TS,
  });
  test.each([
    // [label, prev5, prev20, now5, now20, expected rule or none]
    ['golden: −1 → +1', 99, 100, 101, 100, 'golden-cross'],
    ['golden from exactly 0', 100, 100, 100.5, 100, 'golden-cross'],
    ['golden from 0 with float noise on the previous diff', 0.1 + 0.2, 0.3, 0.31, 0.3, 'golden-cross'],
    ['death: +1 → −1', 101, 100, 99, 100, 'death-cross'],
    ['death from exactly 0', 100, 100, 99.5, 100, 'death-cross'],
    ['to exactly 0 from below: no cross', 99, 100, 100, 100, undefined],
    ['to exactly 0 from above: no cross', 101, 100, 100, 100, undefined],
    ['0 → 0', 100, 100, 100, 100, undefined],
    ['0 → 0 with float noise', 0.1 + 0.2, 0.3, 0.3, 0.1 + 0.2, undefined],
    ['stays above', 101, 100, 102, 100, undefined],
    ['stays below', 98, 100, 99, 100, undefined],
    ['SMA20 window at its start: prevSma20 undefined (19 ticks before)', 101, undefined, 102, 100, undefined],
    ['SMA5 window at its start: prevSma5 undefined', undefined, 100, 102, 100, undefined],
    ['sma20 still undefined', 99, undefined, 101, undefined, undefined],
    ['all undefined (first tick)', undefined, undefined, undefined, undefined, undefined],
  ])('%s', (_label, p5, p20, n5, n20, expected) => {
    const alerts = decide(stock({ smaTs: '2026-11-20T14:29:00.000Z' }), stock(sma(p5, p20, n5, n20)), T).filter((a) => a.rule !== 'stock-drop');
    expect(alerts.map((a) => a.rule)).toEqual(expected ? [expected] : []);
    if (expected) {
      expect(alerts[0]).toMatchObject({ entity: 'STOCK#AAPL', ts: SMA_TS, values: { prevSma5: p5, prevSma20: p20, sma5: n5, sma20: n20 } });
      expect(alerts[0]!.message).toMatch(/SMA5 .* SMA20/);
    }
  });

  test('a cross is not re-judged when smaTs did not change (enricher-only update)', () => {
    const before = stock({ ...sma(99, 100, 101, 100), ts: OLD_TS });
    const after = stock({ ...sma(99, 100, 101, 100) });
    expect(decide(before, after, T)).toEqual([]);
  });

  test('the first image that carries both SMAs and their previous values can cross (INSERT)', () => {
    expect(decide(undefined, stock(sma(99, 100, 101, 100)), T).map((a) => a.rule)).toEqual(['golden-cross']);
  });

  test('a drop and a death cross on the same tick give two alerts', () => {
    const alerts = decide(stock({ ts: OLD_TS, smaTs: OLD_TS }), stock({ price: 85, prevClose: 100, ...sma(101, 100, 99, 100) }), T);
    expect(alerts.map((a) => a.rule).sort()).toEqual(['death-cross', 'stock-drop']);
  });
});

describe('weather thresholds (inclusive)', () => {
  test.each([
    ['heat at threshold', { tempC: 35 }, ['heat']],
    ['heat just below', { tempC: 34.99 }, []],
    ['heat above', { tempC: 41.2 }, ['heat']],
    ['cold at threshold', { tempC: -10 }, ['cold']],
    ['cold just above', { tempC: -9.99 }, []],
    ['cold below', { tempC: -25 }, ['cold']],
    ['wind at threshold', { windKph: 60 }, ['wind']],
    ['wind just below', { windKph: 59.9 }, []],
    ['precipitation at threshold', { precipMm: 10 }, ['precipitation']],
    ['precipitation just below', { precipMm: 9.9 }, []],
    ['storm: heat + wind + rain', { tempC: 36, windKph: 80, precipMm: 25 }, ['heat', 'wind', 'precipitation']],
  ])('%s', (_label, values, rules) => {
    const alerts = decide(weather({ ts: '2026-11-20T13:00:00.000Z' }), weather(values), T);
    expect(alerts.map((a) => a.rule)).toEqual(rules);
    for (const a of alerts) {
      expect(a.entity).toBe('WEATHER#Amsterdam');
      expect(a.ts).toBe('2026-11-20T14:00:00.000Z');
      expect(a.message).toContain('Amsterdam');
    }
  });

  test('values carry the reading and the threshold', () => {
    const [heat] = decide(undefined, weather({ tempC: 36.5 }), T);
    expect(heat).toMatchObject({ rule: 'heat', values: { tempC: 36.5, thresholdC: 35 } });
  });

  test('an unchanged ts (same observation re-written) does not re-alert', () => {
    expect(decide(weather({ tempC: 40 }), weather({ tempC: 40 }), T)).toEqual([]);
  });
});

describe('items that are not entities', () => {
  test.each([
    ['lease item', { pk: 'LEASE#poller', owner: 'x', expiresAt: 1 }],
    ['alert marker', { pk: 'ALERT#STOCK#AAPL#stock-drop#2026-11-20', type: 'alert', ts: '2026-11-20T00:00:00Z' }],
  ])('%s never alerts', (_label, item) => {
    expect(decide(undefined, item as unknown as LatestItem, T)).toEqual([]);
  });
  test('REMOVE (no new image) never alerts', () => {
    expect(decide(stock({ price: 1 }), undefined, T)).toEqual([]);
  });
});

describe('alert keys', () => {
  test.each([
    ['2026-11-20T23:59:59.999Z', 'ALERT#STOCK#AAPL#stock-drop#2026-11-20'],
    ['2026-11-21T00:00:00.000Z', 'ALERT#STOCK#AAPL#stock-drop#2026-11-21'],
    ['2026-11-21T01:00:00+02:00', 'ALERT#STOCK#AAPL#stock-drop#2026-11-20'],
  ])('ts %s → %s (UTC day)', (ts, key) => {
    expect(alertKey({ entity: 'STOCK#AAPL', rule: 'stock-drop', ts })).toBe(key);
    expect(alertDay({ ts })).toBe(key.slice(-10));
  });
});

describe('SMA crosses over a tick series (SMA-n over the last n ticks including the current one)', () => {
  /** LatestTable images as the aggregator writes them: sma at this tick, prevSma before it. */
  function images(prices: number[]): LatestItem[] {
    const sma = (i: number, n: number): number | undefined => (i + 1 >= n ? prices.slice(i + 1 - n, i + 1).reduce((a, b) => a + b, 0) / n : undefined);
    return prices.map((price, i) => {
      const ts = new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString();
      return stock({
        ts,
        smaTs: ts,
        price,
        prevClose: i > 0 ? prices[i - 1]! : price,
        sma5: sma(i, 5),
        sma20: sma(i, 20),
        prevSma5: i > 0 ? sma(i - 1, 5) : undefined,
        prevSma20: i > 0 ? sma(i - 1, 20) : undefined,
      });
    });
  }
  function crosses(prices: number[]): [number, string][] {
    const imgs = images(prices);
    const out: [number, string][] = [];
    imgs.forEach((img, i) => {
      for (const a of decide(i > 0 ? imgs[i - 1] : undefined, img, { ...T, stockDropPercent: 100 })) out.push([i, a.rule]);
    });
    return out;
  }
  test.each([
    ['flat for 20 ticks, then up: golden cross from exactly 0 at tick 20', [...Array(20).fill(100), 101, 102], [[20, 'golden-cross']]],
    ['flat for 20 ticks, then down: death cross from exactly 0 at tick 20', [...Array(20).fill(100), 99, 98], [[20, 'death-cross']]],
    ['rising from the start: SMA5 > SMA20 when SMA20 first exists (tick 19) is not a cross', Array.from({ length: 22 }, (_, i) => 100 + i), []],
    ['19 ticks only: SMA20 never defined, no cross', Array.from({ length: 19 }, (_, i) => 100 + (i % 3)), []],
    [
      'V shape: down 20, up 10 → one golden cross at tick 25 (SMA5 108 > SMA20 107.35; at 24: 106 < 107.5)',
      [...Array.from({ length: 20 }, (_, i) => 120 - i), ...Array.from({ length: 10 }, (_, i) => 102 + 2 * i)],
      [[25, 'golden-cross']],
    ],
  ])('%s', (_label, prices, expected) => {
    expect(crosses(prices)).toEqual(expected);
  });
});
