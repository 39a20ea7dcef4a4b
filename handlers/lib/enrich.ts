/**
 * Enrichment (pure): derived fields and lineage for a validated canonical event.
 * `ts` is normalised to millisecond ISO (`toISOString`) so string comparison orders ticks
 * correctly in DynamoDB conditions (`…00Z` would otherwise sort after `…00.500Z`).
 */
import { DATASETS, entityKey, type StockTick, type WeatherObservation, type CanonicalEvent } from './contracts';

/** Where a record came from in the stream; lineage in every enriched row. */
export interface RecordOrigin {
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Kinesis `approximateArrivalTimestamp` in epoch seconds (fractional). */
  readonly approximateArrivalTimestamp: number;
}

interface Lineage {
  /** DynamoDB partition key, e.g. `STOCK#AAPL`. */
  readonly pk: string;
  readonly dataset: (typeof DATASETS)[keyof typeof DATASETS];
  /** `ts` in epoch ms. */
  readonly tsMs: number;
  /** Arrival in Kinesis (`approximateArrivalTimestamp`), epoch ms. */
  readonly ingestMs: number;
  /** The same as ISO (ms precision). */
  readonly ingestTs: string;
  /** When this function enriched it (the `now` passed in), epoch ms. */
  readonly processMs: number;
  /** The same as ISO (one string shared by the whole batch). */
  readonly processTs: string;
  /**
   * `ingestTs − ts` in ms; negative when the producer's clock is ahead (by at most the allowed
   * skew: a tick further ahead is quarantined as `future-timestamp` before enrichment, decode.ts).
   */
  readonly lagMs: number;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

export type EnrichedStock = StockTick &
  Lineage & {
    /** `price − prevClose`. */
    readonly change: number;
    /** `(price − prevClose) / prevClose × 100`. */
    readonly changePct: number;
    /** `high − low`. */
    readonly dayRange: number;
  };

export type EnrichedWeather = WeatherObservation &
  Lineage & {
    /** Dew point (Magnus formula), °C, rounded to 0.01. */
    readonly dewPointC: number;
  };

export type EnrichedEvent = EnrichedStock | EnrichedWeather;

/**
 * Enriches one event. Rows are built as explicit literals (not spreads): a spread of a 20-field
 * object costs ~7 µs on V8, which alone would sink the 300k records/s bar.
 */
let cachedSecond = NaN;
let cachedPrefix = '';

/**
 * `toISOString` of an epoch-ms value, formatting the `YYYY-MM-DDTHH:MM:SS.` part once per second:
 * a batch's arrival times share their seconds, and per-record date formatting is a measurable
 * share of the enricher's budget.
 */
export function isoMs(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const suffix = MILLIS_SUFFIX[ms - second * 1000];
  return suffix === undefined ? new Date(ms).toISOString() : cachedPrefix + suffix; // undefined: not whole ms
}

/** `000Z` … `999Z`: one shared string per millisecond, so a formatted time is one concatenation. */
const MILLIS_SUFFIX = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, '0')}Z`);

const stockKeys = new Map<string, string>();
const weatherKeys = new Map<string, string>();

/**
 * `STOCK#AAPL` / `WEATHER#London`, one string per entity rather than one per record (a batch
 * holds a few entities many times; every retained byte is scavenger work).
 */
function cachedEntityKey(event: CanonicalEvent): string {
  const keys = event.type === 'stock' ? stockKeys : weatherKeys;
  const name = event.type === 'stock' ? event.symbol : event.city;
  let key = keys.get(name);
  if (key === undefined) {
    if (keys.size >= 10_000) keys.clear(); // bounded in a long-lived warm Lambda
    key = entityKey(event);
    keys.set(name, key);
  }
  return key;
}

/** A batch's processing time, formatted once for all its records. */
export interface BatchClock {
  readonly iso: string;
  readonly ms: number;
}

export function batchClock(now: Date): BatchClock {
  return { iso: now.toISOString(), ms: now.getTime() };
}

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** The decimal digit at `at`, or NaN (which then poisons every sum it is part of). */
function digit(iso: string, at: number): number {
  const c = iso.charCodeAt(at) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
}

/**
 * `Date.parse` of a canonical `YYYY-MM-DDTHH:MM:SS.sssZ` that is a real instant, computed from
 * its digits (Date.parse is ~a quarter of enrich's own time); `NaN` for anything else, which
 * the caller hands to Date.parse unchanged. test/handlers/lib/enrich-time.test.ts checks it
 * against Date.parse.
 */
export function canonicalIsoMs(iso: string): number {
  if (
    iso.length !== 24 ||
    iso.charCodeAt(4) !== 45 ||
    iso.charCodeAt(7) !== 45 ||
    iso.charCodeAt(10) !== 84 ||
    iso.charCodeAt(13) !== 58 ||
    iso.charCodeAt(16) !== 58 ||
    iso.charCodeAt(19) !== 46 ||
    iso.charCodeAt(23) !== 90
  )
    return NaN;
  const year = digit(iso, 0) * 1000 + digit(iso, 1) * 100 + digit(iso, 2) * 10 + digit(iso, 3);
  const month = digit(iso, 5) * 10 + digit(iso, 6);
  const day = digit(iso, 8) * 10 + digit(iso, 9);
  const hour = digit(iso, 11) * 10 + digit(iso, 12);
  const minute = digit(iso, 14) * 10 + digit(iso, 15);
  const second = digit(iso, 17) * 10 + digit(iso, 18);
  const milli = digit(iso, 20) * 100 + digit(iso, 21) * 10 + digit(iso, 22);
  if (Number.isNaN(year + month + day + hour + minute + second + milli) || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31)) return NaN;
  // Days since 1970-01-01 in the proleptic Gregorian calendar (what Date uses for 0000–9999).
  const y = year - 1; // leap days strictly before this year
  const days =
    365 * (year - 1970) +
    (Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)) -
    477 +
    DAYS_BEFORE_MONTH[month - 1]! +
    (month > 2 && leap ? 1 : 0) +
    day -
    1;
  return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli;
}

export function enrich(event: CanonicalEvent, origin: RecordOrigin, now: Date | BatchClock): EnrichedEvent {
  const canonicalMs = canonicalIsoMs(event.ts);
  // Already canonical (`…:00.000Z`, what our producers send)? Then skip the Date round trip.
  const canonical = canonicalMs === canonicalMs;
  const tsMs = canonical ? canonicalMs : Date.parse(event.ts);
  const ingestMs = Math.round(origin.approximateArrivalTimestamp * 1000);
  const ts = canonical || (event.ts.length === 24 && event.ts.charCodeAt(19) === 46) ? event.ts : new Date(tsMs).toISOString();
  const clock = now instanceof Date ? batchClock(now) : now;
  const processTs = clock.iso;
  const processMs = clock.ms;
  const lagMs = ingestMs - tsMs;
  if (event.type === 'stock') {
    const change = event.price - event.prevClose;
    const row: EnrichedStock = {
      schemaVersion: event.schemaVersion,
      type: 'stock',
      symbol: event.symbol,
      ts,
      price: event.price,
      open: event.open,
      high: event.high,
      low: event.low,
      prevClose: event.prevClose,
      volume: event.volume,
      source: event.source,
      pk: cachedEntityKey(event),
      dataset: DATASETS.stock,
      tsMs,
      ingestMs,
      ingestTs: isoMs(ingestMs),
      processMs,
      processTs,
      lagMs,
      shardId: origin.shardId,
      sequenceNumber: origin.sequenceNumber,
      change,
      changePct: (change / event.prevClose) * 100,
      dayRange: event.high - event.low,
    };
    return row;
  }
  const row: EnrichedWeather = {
    schemaVersion: event.schemaVersion,
    type: 'weather',
    city: event.city,
    ts,
    tempC: event.tempC,
    humidity: event.humidity,
    windKph: event.windKph,
    precipMm: event.precipMm,
    pressureHpa: event.pressureHpa,
    source: event.source,
    pk: cachedEntityKey(event),
    dataset: DATASETS.weather,
    tsMs,
    ingestMs,
    ingestTs: isoMs(ingestMs),
    processMs,
    processTs,
    lagMs,
    shardId: origin.shardId,
    sequenceNumber: origin.sequenceNumber,
    dewPointC: dewPoint(event.tempC, event.humidity),
  };
  return row;
}

function dewPoint(tempC: number, humidity: number): number {
  const rh = Math.max(humidity, 1); // 0 % has no dew point; clamp so the column stays numeric
  const a = 17.625;
  const b = 243.04;
  const gamma = Math.log(rh / 100) + (a * tempC) / (b + tempC);
  return Math.round(((b * gamma) / (a - gamma)) * 100) / 100;
}
