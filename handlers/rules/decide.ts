/**
 * The rules engine's pure core (DESIGN §8): given the old and new LatestTable images of one
 * entity, which alerts fire. No I/O, no clock: alerts carry the triggering tick's `ts`.
 *
 * Decision table (an image is a LatestItem; "changed" compares old and new images):
 *
 * | rule           | judged when                 | fires when                                              |
 * | -------------- | --------------------------- | ------------------------------------------------------- |
 * | stock-drop     | stock, `ts` changed         | (price − prevClose) / prevClose ≤ −stockDropPercent/100 |
 * | golden-cross   | stock, `smaTs` changed      | prevSma5 − prevSma20 ≤ 0 and sma5 − sma20 > 0           |
 * | death-cross    | stock, `smaTs` changed      | prevSma5 − prevSma20 ≥ 0 and sma5 − sma20 < 0           |
 * | heat           | weather, `ts` changed       | tempC ≥ heatThresholdC                                  |
 * | cold           | weather, `ts` changed       | tempC ≤ coldThresholdC                                  |
 * | wind           | weather, `ts` changed       | windKph ≥ windThresholdKph                              |
 * | precipitation  | weather, `ts` changed       | precipMm ≥ precipThresholdMm                            |
 *
 * - An undefined SMA (fewer than n ticks so far) never crosses: all four of prevSma5,
 *   prevSma20, sma5 and sma20 must be present.
 * - Float noise: ratios and SMA differences within 1e-9 (relative) of the boundary count as
 *   exactly on it, so a drop of exactly 10 % computed as −0.09999999999999998 still fires and
 *   two equal SMAs summed in a different order do not flip-flop into crosses.
 * - Items that are not entities (`LEASE#…`, `ALERT#…` also live in LatestTable) and REMOVE
 *   events (no new image) never alert.
 */
import type { Alert, LatestItem } from '../lib/contracts';

export interface Thresholds {
  /** Drop versus previous close, in percent (10 means −10 % or worse fires). */
  readonly stockDropPercent: number;
  /** Heat alert at or above this temperature, °C. */
  readonly heatThresholdC: number;
  /** Cold alert at or below this temperature, °C. */
  readonly coldThresholdC: number;
  /** Wind alert at or above this speed, km/h. */
  readonly windThresholdKph: number;
  /** Precipitation alert at or above this amount, mm. */
  readonly precipThresholdMm: number;
}

const RELATIVE_EPSILON = 1e-9;

/** Sign of `a − b` with differences inside the float-noise band counted as 0. */
function compareWithTolerance(a: number, b: number): -1 | 0 | 1 {
  const diff = a - b;
  const scale = Math.max(Math.abs(a), Math.abs(b), 1e-12);
  if (Math.abs(diff) <= RELATIVE_EPSILON * scale) return 0;
  return diff > 0 ? 1 : -1;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function entityName(item: LatestItem): string {
  return item.symbol ?? item.city ?? item.pk.replace(/^(STOCK|WEATHER)#/, '');
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** True when the item is an entity's latest value (not a lease or an alert marker). */
export function isEntityItem(item: LatestItem | undefined): item is LatestItem {
  return item !== undefined && typeof item.pk === 'string' && /^(STOCK|WEATHER)#/.test(item.pk) && (item.type === 'stock' || item.type === 'weather');
}

export function decide(oldImage: LatestItem | undefined, newImage: LatestItem | undefined, thresholds: Thresholds): Alert[] {
  if (!isEntityItem(newImage)) return [];
  const old = isEntityItem(oldImage) && oldImage.pk === newImage.pk ? oldImage : undefined;
  const alerts: Alert[] = [];
  const tsChanged = newImage.ts !== undefined && newImage.ts !== old?.ts;
  if (newImage.type === 'stock') {
    if (tsChanged) {
      const drop = stockDrop(newImage, thresholds);
      if (drop) alerts.push(drop);
    }
    const smaChanged = newImage.smaTs !== undefined && newImage.smaTs !== old?.smaTs;
    if (smaChanged) {
      const cross = smaCross(newImage);
      if (cross) alerts.push(cross);
    }
  } else if (tsChanged) {
    alerts.push(...weatherAlerts(newImage, thresholds));
  }
  return alerts;
}

function stockDrop(item: LatestItem, t: Thresholds): Alert | undefined {
  const { price, prevClose, ts } = item;
  if (!isNum(price) || !isNum(prevClose) || prevClose <= 0 || ts === undefined) return undefined;
  const ratio = (price - prevClose) / prevClose;
  const limit = -t.stockDropPercent / 100;
  if (compareWithTolerance(ratio, limit) > 0) return undefined;
  const changePct = round(ratio * 100, 4);
  const name = entityName(item);
  return {
    rule: 'stock-drop',
    entity: item.pk,
    ts,
    values: { price, prevClose, changePct, thresholdPercent: t.stockDropPercent },
    message: `${name} fell ${Math.abs(changePct).toFixed(2)}% to ${price} from the previous close ${prevClose} (threshold ${t.stockDropPercent}%) at ${ts}`,
  };
}

function smaCross(item: LatestItem): Alert | undefined {
  const { sma5, sma20, prevSma5, prevSma20, smaTs } = item;
  if (!isNum(sma5) || !isNum(sma20) || !isNum(prevSma5) || !isNum(prevSma20) || smaTs === undefined) return undefined;
  const before = compareWithTolerance(prevSma5, prevSma20);
  const now = compareWithTolerance(sma5, sma20);
  const name = entityName(item);
  const values = { sma5, sma20, prevSma5, prevSma20 };
  if (before <= 0 && now > 0) {
    return {
      rule: 'golden-cross',
      entity: item.pk,
      ts: smaTs,
      values,
      message: `${name} golden cross: SMA5 ${round(sma5, 4)} rose above SMA20 ${round(sma20, 4)} (before: SMA5 ${round(prevSma5, 4)}, SMA20 ${round(prevSma20, 4)}) at ${smaTs}`,
    };
  }
  if (before >= 0 && now < 0) {
    return {
      rule: 'death-cross',
      entity: item.pk,
      ts: smaTs,
      values,
      message: `${name} death cross: SMA5 ${round(sma5, 4)} fell below SMA20 ${round(sma20, 4)} (before: SMA5 ${round(prevSma5, 4)}, SMA20 ${round(prevSma20, 4)}) at ${smaTs}`,
    };
  }
  return undefined;
}

function weatherAlerts(item: LatestItem, t: Thresholds): Alert[] {
  const ts = item.ts!;
  const name = entityName(item);
  const out: Alert[] = [];
  const { tempC, windKph, precipMm } = item;
  if (isNum(tempC) && compareWithTolerance(tempC, t.heatThresholdC) >= 0) {
    out.push({
      rule: 'heat',
      entity: item.pk,
      ts,
      values: { tempC, thresholdC: t.heatThresholdC },
      message: `${name} heat: ${tempC} °C is at or above ${t.heatThresholdC} °C at ${ts}`,
    });
  }
  if (isNum(tempC) && compareWithTolerance(tempC, t.coldThresholdC) <= 0) {
    out.push({
      rule: 'cold',
      entity: item.pk,
      ts,
      values: { tempC, thresholdC: t.coldThresholdC },
      message: `${name} cold: ${tempC} °C is at or below ${t.coldThresholdC} °C at ${ts}`,
    });
  }
  if (isNum(windKph) && compareWithTolerance(windKph, t.windThresholdKph) >= 0) {
    out.push({
      rule: 'wind',
      entity: item.pk,
      ts,
      values: { windKph, thresholdKph: t.windThresholdKph },
      message: `${name} wind: ${windKph} km/h is at or above ${t.windThresholdKph} km/h at ${ts}`,
    });
  }
  if (isNum(precipMm) && compareWithTolerance(precipMm, t.precipThresholdMm) >= 0) {
    out.push({
      rule: 'precipitation',
      entity: item.pk,
      ts,
      values: { precipMm, thresholdMm: t.precipThresholdMm },
      message: `${name} precipitation: ${precipMm} mm is at or above ${t.precipThresholdMm} mm at ${ts}`,
    });
  }
  return out;
}

/** UTC day (`YYYY-MM-DD`) of an alert's triggering tick: the dedupe window. */
export function alertDay(alert: Pick<Alert, 'ts'>): string {
  const d = new Date(alert.ts);
  if (Number.isNaN(d.getTime())) return alert.ts.slice(0, 10);
  return d.toISOString().slice(0, 10);
}

/** LatestTable key of the "one alert per entity, rule and day" marker. */
export function alertKey(alert: Pick<Alert, 'entity' | 'rule' | 'ts'>): string {
  return `ALERT#${alert.entity}#${alert.rule}#${alertDay(alert)}`;
}
