/**
 * An independent reading of DESIGN §8's stock rules, used as the oracle the pipeline's alerts are
 * compared with: a drop when (price − prevClose) / prevClose ≤ −threshold; SMA-n over the last n
 * ticks including the current one, undefined until n ticks exist; a golden cross when
 * SMA5 − SMA20 goes from ≤ 0 to > 0, a death cross when it goes from ≥ 0 to < 0. One alert per
 * entity, rule and UTC day.
 */
export interface OracleTick {
  readonly symbol: string;
  readonly ts: string;
  readonly price: number;
  readonly prevClose: number;
}

export interface OracleAlert {
  readonly rule: 'stock-drop' | 'golden-cross' | 'death-cross';
  readonly entity: string;
  readonly ts: string;
}

function sma(prices: readonly number[], n: number): number | undefined {
  if (prices.length < n) return undefined;
  return prices.slice(-n).reduce((a, b) => a + b, 0) / n;
}

/** @param thresholdPercent e.g. 10 for a 10 % drop */
export function expectedStockAlerts(ticks: readonly OracleTick[], thresholdPercent: number): OracleAlert[] {
  const history = new Map<string, number[]>();
  const lastDiff = new Map<string, number | undefined>();
  const fired = new Set<string>();
  const alerts: OracleAlert[] = [];
  const emit = (rule: OracleAlert['rule'], t: OracleTick) => {
    const entity = `STOCK#${t.symbol}`;
    const key = `${entity}|${rule}|${t.ts.slice(0, 10)}`;
    if (fired.has(key)) return;
    fired.add(key);
    alerts.push({ rule, entity, ts: t.ts });
  };
  for (const t of ticks) {
    if ((t.price - t.prevClose) / t.prevClose <= -thresholdPercent / 100) emit('stock-drop', t);
    const prices = [...(history.get(t.symbol) ?? []), t.price];
    history.set(t.symbol, prices);
    const s5 = sma(prices, 5);
    const s20 = sma(prices, 20);
    const diff = s5 !== undefined && s20 !== undefined ? s5 - s20 : undefined;
    const before = lastDiff.get(t.symbol);
    if (before !== undefined && diff !== undefined) {
      if (before <= 0 && diff > 0) emit('golden-cross', t);
      if (before >= 0 && diff < 0) emit('death-cross', t);
    }
    lastDiff.set(t.symbol, diff);
  }
  return alerts;
}
