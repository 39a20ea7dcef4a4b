/**
 * The contracts every part of the pipeline shares (DESIGN §4): canonical events, entity keys,
 * function names and their environment variables. What the templates need too (the event
 * schemas, the functions' variables, value shapes) is written once in contracts/ and re-exported.
 */

export { SCHEMA_VERSION } from '../../contracts/events';

/** A stock tick as it travels through Kinesis (one JSON object per record). */
export interface StockTick {
  readonly schemaVersion: number;
  readonly type: 'stock';
  /** Upper-case ticker, 1–10 characters of A–Z, 0–9, `.` and `-`; the Kinesis partition key. */
  readonly symbol: string;
  /** ISO-8601 UTC timestamp of the quote, e.g. `2026-11-20T14:30:00.000Z`. */
  readonly ts: string;
  readonly price: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  /** Previous session's close; the drop rule compares `price` with it. */
  readonly prevClose: number;
  readonly volume: number;
  /** Where it came from: `finnhub`, `alphavantage`, `api`, `replay`, … */
  readonly source: string;
}

/** A weather observation (one JSON object per record). */
export interface WeatherObservation {
  readonly schemaVersion: number;
  readonly type: 'weather';
  /** City name as configured (e.g. `Amsterdam`); the Kinesis partition key. */
  readonly city: string;
  readonly ts: string;
  readonly tempC: number;
  /** Relative humidity, 0–100. */
  readonly humidity: number;
  readonly windKph: number;
  readonly precipMm: number;
  readonly pressureHpa: number;
  readonly source: string;
}

export type CanonicalEvent = StockTick | WeatherObservation;

/** DynamoDB partition key of an entity: `STOCK#AAPL`, `WEATHER#Amsterdam`. */
export function entityKey(event: Pick<StockTick, 'type' | 'symbol'> | Pick<WeatherObservation, 'type' | 'city'>): string {
  return event.type === 'stock' ? `STOCK#${event.symbol}` : `WEATHER#${event.city}`;
}

/** The Kinesis partition key: the symbol or the city. */
export function partitionKey(event: CanonicalEvent): string {
  return event.type === 'stock' ? event.symbol : event.city;
}

/** Dataset names used in S3 keys (`raw/<dataset>/…`, `processed/<dataset>/…`) and Glue tables. */
export const DATASETS = { stock: 'stocks', weather: 'weather' } as const;

export { COMMON_ENVIRONMENT, FUNCTIONS, type FunctionName } from '../../contracts/functions';

/**
 * The LatestTable item of an entity (pk only). Two writers own disjoint attributes, each with a
 * conditional update so an older tick never overwrites a newer one:
 * - the enricher: the latest event's fields, `ts`, `change`, `changePct`, lineage;
 * - the aggregator: `sma5`, `sma20`, `prevSma5`, `prevSma20`, `smaTs`, `recent` (rolling state).
 * The rules engine reads its stream (NEW_AND_OLD_IMAGES): a drop is judged when `ts` changed,
 * a cross when `smaTs` changed (DESIGN §8 semantics).
 */
export interface LatestItem {
  readonly pk: string;
  readonly type: 'stock' | 'weather';
  readonly symbol?: string;
  readonly city?: string;
  /** Timestamp of the newest event written by the enricher. */
  readonly ts?: string;
  readonly price?: number;
  readonly prevClose?: number;
  readonly change?: number;
  readonly changePct?: number;
  readonly tempC?: number;
  readonly windKph?: number;
  readonly precipMm?: number;
  readonly humidity?: number;
  /** SMA over the last 5 / 20 ticks including the tick at `smaTs`; absent until that many ticks exist. */
  readonly sma5?: number;
  readonly sma20?: number;
  /** The SMAs before the tick at `smaTs` was included; absent when they were undefined. */
  readonly prevSma5?: number;
  readonly prevSma20?: number;
  readonly smaTs?: string;
  // Added with the enricher/aggregator (issue 4); all optional, nothing above changed.
  /** Enricher: the rest of the latest event and its lineage. */
  readonly open?: number;
  readonly high?: number;
  readonly low?: number;
  readonly volume?: number;
  readonly pressureHpa?: number;
  readonly source?: string;
  readonly schemaVersion?: number;
  /** Kinesis arrival of the latest event (ISO). */
  readonly ingestTs?: string;
  /** When the enricher processed it (ISO). */
  readonly processTs?: string;
  /** Kinesis sequence number of the latest event. */
  readonly sequenceNumber?: string;
  /** Aggregator rolling state: values (price or tempC) of the last ≤ 20 applied ticks, oldest first. */
  readonly recent?: readonly number[];
  /** Aggregator: the current tumbling 5-minute and 1-hour windows (start ISO, count, sum, min, max). */
  readonly win5m?: RollingWindow;
  readonly win1h?: RollingWindow;
}

/** A tumbling window's running aggregate (aggregator state on LatestTable). */
export interface RollingWindow {
  readonly start: string;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/** Alert rules, as written in `.demo/alerts.ndjson` and SNS messages (DESIGN §8). */
export type AlertRule = 'stock-drop' | 'golden-cross' | 'death-cross' | 'heat' | 'cold' | 'wind' | 'precipitation';

export interface Alert {
  readonly rule: AlertRule;
  /** `STOCK#AAPL` or `WEATHER#Amsterdam`. */
  readonly entity: string;
  /** Timestamp of the triggering tick. */
  readonly ts: string;
  /** The values that triggered it, e.g. `{ price, prevClose, changePct, thresholdPercent }`. */
  readonly values: Readonly<Record<string, number>>;
  readonly message: string;
}
