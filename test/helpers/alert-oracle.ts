/**
 * An independent reading of DESIGN §8's stock rules, used as the oracle the pipeline's alerts are
 * compared with: a drop when (price − prevClose) / prevClose ≤ −threshold; SMA-n over the last n
 * ticks including the current one, undefined until n ticks exist; a golden cross when
 * SMA5 − SMA20 goes from ≤ 0 to > 0, a death cross when it goes from ≥ 0 to < 0. One alert per
 * entity, rule and UTC day.
 *
 * ## Ties in float arithmetic
 * DESIGN §8's rules are about the quoted prices, i.e. exact decimals. Two SMAs that are equal in
 * decimal (SMA5 = SMA20 exactly, likely with two-decimal prices) come out of float sums a few
 * ulps apart, of either sign (e.g. −2.8e-14 at a price of 100): compared raw, the tie would count
 * as < 0 or > 0 and a cross would fire a day early or late. So this oracle counts a difference as
 * zero when it is within {@link TIE_TOLERANCE} of the operands' magnitude M:
 * - the noise: a mean of n ≤ 20 doubles carries at most about n·2⁻⁵³·M of rounding error, so two
 *   ways of computing one tie differ by ≤ 40·2⁻⁵³·M ≈ 4.4e-15·M: the tolerance is 10⁵ times that;
 * - a real difference: prices quoted with d decimals make 4·Σ5 − Σ20 a multiple of 10⁻ᵈ, so a
 *   non-tie SMA5 − SMA20 is at least 10⁻ᵈ/20 (5e-4 for cents), above 1e-9·M while
 *   M < 5·10⁷⁻ᵈ: prices below 500,000 in cents, below 5,000 with four decimals. Only beyond that
 *   (six-decimal quotes above 50) could a real difference of a few 10⁻⁸ count as a tie.
 * The same band applies to the drop ratio against −threshold (a drop of exactly 10 % computed as
 * −0.09999999999999998 is a drop of 10 %). The rules engine (handlers/rules/decide.ts) reaches
 * the same rule on its own; this file does not import it, so a change there is caught here.
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

/** Relative band around a boundary that counts as on it (see "Ties in float arithmetic"). */
export const TIE_TOLERANCE = 1e-9;

/** The sign of a − b, 0 when the two are within TIE_TOLERANCE of their magnitude. */
export function signWithTies(a: number, b: number): -1 | 0 | 1 {
  const magnitude = Math.max(Math.abs(a), Math.abs(b));
  if (Math.abs(a - b) <= TIE_TOLERANCE * magnitude) return 0;
  return a > b ? 1 : -1;
}

function sma(prices: readonly number[], n: number): number | undefined {
  if (prices.length < n) return undefined;
  return prices.slice(-n).reduce((a, b) => a + b, 0) / n;
}

/** @param thresholdPercent e.g. 10 for a 10 % drop */
export function expectedStockAlerts(ticks: readonly OracleTick[], thresholdPercent: number): OracleAlert[] {
  const history = new Map<string, number[]>();
  const lastSign = new Map<string, -1 | 0 | 1 | undefined>();
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
    if (signWithTies((t.price - t.prevClose) / t.prevClose, -thresholdPercent / 100) <= 0) emit('stock-drop', t);
    const prices = [...(history.get(t.symbol) ?? []).slice(-19), t.price];
    history.set(t.symbol, prices);
    const s5 = sma(prices, 5);
    const s20 = sma(prices, 20);
    const now = s5 !== undefined && s20 !== undefined ? signWithTies(s5, s20) : undefined;
    const before = lastSign.get(t.symbol);
    if (before !== undefined && now !== undefined) {
      if (before <= 0 && now > 0) emit('golden-cross', t);
      if (before >= 0 && now < 0) emit('death-cross', t);
    }
    lastSign.set(t.symbol, now);
  }
  return alerts;
}
