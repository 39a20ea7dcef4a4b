/**
 * Provider response formats → canonical events (pure: no I/O, `now` passed in).
 *
 * Each mapper takes what came back over HTTP (status, body text, Retry-After) and returns one
 * outcome. The real formats, including how each provider says "no" (see test/fixtures/providers):
 *
 * | provider       | success                                   | no data                     | rate limit                                          | error                                      |
 * | -------------- | ----------------------------------------- | --------------------------- | --------------------------------------------------- | ------------------------------------------ |
 * | Finnhub /quote | 200 `{c,d,dp,h,l,o,pc,t}` numbers, t in s | 200 all zero (`c:0,…,t:0`)  | HTTP 429 (`{"error":"API limit reached…"}`)         | 401/403 `{"error":"…"}`, 5xx               |
 * | Alpha Vantage  | 200 `{"Global Quote":{"01. symbol":…}}`,  | 200 `{"Global Quote":{}}`   | HTTP **200** `{"Note":…}` (per minute) or           | HTTP **200** `{"Error Message":…}`, 5xx    |
 * |  GLOBAL_QUOTE  |  every value a string, "…%" percent       |                             |  `{"Information":…rate limit…}` (per day)           |                                            |
 * | Open-Meteo     | 200 `current` block (or `hourly`), local  | —                           | HTTP 429                                            | 400 `{"error":true,"reason":…}`, 5xx       |
 * |  /v1/forecast  |  time + `utc_offset_seconds`              |                             |                                                     |                                            |
 *
 * Finnhub's /quote has no volume: its ticks carry `volume: 0` (documented, not invented data).
 * Alpha Vantage GLOBAL_QUOTE has a trading day but no time: the tick is stamped `now` while that
 * day is today in New York and before its 16:00 close, else 16:00 New York time of that day, so
 * repeated polls of a closed market give the same `ts` and the downstream writes stay idempotent.
 */
import { MARKET_DATA_PROVIDERS, type MarketDataProvider } from '../../contracts/values';
import { SCHEMA_VERSION, type StockTick, type WeatherObservation } from '../lib/contracts';

/** The stock quote APIs (contracts/values.ts: the root parameter's AllowedValues are the same list). */
export type StockProvider = MarketDataProvider;
export const STOCK_PROVIDERS: readonly StockProvider[] = MARKET_DATA_PROVIDERS;

/** What came back over HTTP. */
export interface ProviderResponse {
  readonly status: number;
  readonly body: string;
  /** Parsed Retry-After header, ms. */
  readonly retryAfterMs?: number;
}

export type Outcome<E> =
  | { readonly kind: 'ok'; readonly event: E }
  | { readonly kind: 'no-data'; readonly reason: string }
  | { readonly kind: 'rate-limited'; readonly reason: string; readonly scope: 'minute' | 'day'; readonly retryAfterMs?: number }
  | { readonly kind: 'error'; readonly reason: string; readonly retryable: boolean; readonly authFailure?: boolean };

export interface HttpRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// shared helpers

function parseJson(body: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { ok: false, reason: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}` };
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return { ok: false, reason: `body is not JSON: ${truncate(body, 120)}` };
  }
}

function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** Generic HTTP status handling shared by the providers; undefined means "look at the body". */
function statusOutcome(provider: string, res: ProviderResponse, errorText: string | undefined): Outcome<never> | undefined {
  const detail = errorText ? `: ${truncate(errorText, 200)}` : '';
  if (res.status === 429)
    return {
      kind: 'rate-limited',
      scope: 'minute',
      reason: `${provider} answered HTTP 429${detail}`,
      ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}),
    };
  if (res.status === 401 || res.status === 403)
    return { kind: 'error', retryable: false, authFailure: true, reason: `${provider} rejected the API key (HTTP ${res.status})${detail}` };
  if (res.status >= 500) return { kind: 'error', retryable: true, reason: `${provider} answered HTTP ${res.status}${detail}` };
  if (res.status !== 200) return { kind: 'error', retryable: false, reason: `${provider} answered HTTP ${res.status}${detail}` };
  return undefined;
}

function errorTextOf(body: string): string | undefined {
  const parsed = parseJson(body);
  if (!parsed.ok) return body.trim() === '' ? undefined : body;
  const v = parsed.value;
  for (const key of ['error', 'reason', 'message', 'Error Message', 'Note', 'Information']) {
    if (typeof v[key] === 'string') return v[key];
  }
  if (v.error === true && typeof v.reason === 'string') return v.reason;
  return undefined;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

// ---------------------------------------------------------------------------------------------
// Finnhub

export const FINNHUB_BASE_URL = 'https://finnhub.io/api/v1';

/** The key goes in the X-Finnhub-Token header, never in the URL (URLs end up in logs). */
export function finnhubQuoteRequest(symbol: string, apiKey: string, baseUrl = FINNHUB_BASE_URL): HttpRequest {
  return { url: `${baseUrl}/quote?symbol=${encodeURIComponent(symbol)}`, headers: { 'X-Finnhub-Token': apiKey, Accept: 'application/json' } };
}

export function mapFinnhubQuote(symbol: string, res: ProviderResponse): Outcome<StockTick> {
  const bad = statusOutcome('finnhub', res, res.status === 200 ? undefined : errorTextOf(res.body));
  if (bad) return bad;
  const parsed = parseJson(res.body);
  if (!parsed.ok) return { kind: 'error', retryable: true, reason: `finnhub /quote ${symbol}: ${parsed.reason}` };
  const q = parsed.value;
  if (typeof q.error === 'string') return { kind: 'error', retryable: false, reason: `finnhub /quote ${symbol}: ${q.error}` };
  const { c, h, l, o, pc, t } = q;
  if ([c, h, l, o, pc, t].every((v) => v === 0 || v === null)) return { kind: 'no-data', reason: `finnhub has no data for ${symbol} (all-zero quote)` };
  if (!finite(c) || !finite(h) || !finite(l) || !finite(o) || !finite(pc) || !finite(t)) {
    return { kind: 'error', retryable: false, reason: `finnhub /quote ${symbol}: missing or non-numeric fields in ${truncate(res.body, 160)}` };
  }
  if (c <= 0 || t <= 0) return { kind: 'no-data', reason: `finnhub /quote ${symbol}: price ${c} at t=${t} is not a quote` };
  return {
    kind: 'ok',
    event: {
      schemaVersion: SCHEMA_VERSION,
      type: 'stock',
      symbol,
      ts: new Date(t * 1000).toISOString(),
      price: c,
      open: o,
      high: h,
      low: l,
      prevClose: pc,
      volume: 0,
      source: 'finnhub',
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Alpha Vantage

export const ALPHA_VANTAGE_BASE_URL = 'https://www.alphavantage.co/query';

/** Alpha Vantage only takes the key as a query parameter (redact URLs before logging them). */
export function alphaVantageQuoteRequest(symbol: string, apiKey: string, baseUrl = ALPHA_VANTAGE_BASE_URL): HttpRequest {
  return {
    url: `${baseUrl}?function=GLOBAL_QUOTE&symbol=${encodeURIComponent(symbol)}&apikey=${encodeURIComponent(apiKey)}`,
    headers: { Accept: 'application/json' },
  };
}

/** UTC offset of America/New_York at `at`, in minutes (−300 or −240). */
export function newYorkOffsetMinutes(at: Date): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'shortOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')
      ?.value ?? 'GMT-5';
  const m = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(name);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

function newYorkDate(at: Date): string {
  return new Date(at.getTime() + newYorkOffsetMinutes(at) * 60_000).toISOString().slice(0, 10);
}

/** 16:00 New York time on `day` (YYYY-MM-DD), as a UTC ISO string. */
export function newYorkCloseUtc(day: string): string {
  const noonUtc = new Date(`${day}T12:00:00Z`);
  const offset = newYorkOffsetMinutes(noonUtc);
  return new Date(Date.parse(`${day}T16:00:00Z`) - offset * 60_000).toISOString();
}

function avNumber(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const n = Number(v.trim().replace(/%$/, ''));
  return Number.isFinite(n) && v.trim() !== '' ? n : undefined;
}

export function mapAlphaVantageGlobalQuote(symbol: string, res: ProviderResponse, now: Date): Outcome<StockTick> {
  const bad = statusOutcome('alphavantage', res, res.status === 200 ? undefined : errorTextOf(res.body));
  if (bad) return bad;
  const parsed = parseJson(res.body);
  if (!parsed.ok) return { kind: 'error', retryable: true, reason: `alphavantage GLOBAL_QUOTE ${symbol}: ${parsed.reason}` };
  const v = parsed.value;
  // Alpha Vantage says "no" with HTTP 200 and one of these keys.
  if (typeof v.Note === 'string') return { kind: 'rate-limited', scope: 'minute', reason: `alphavantage rate limit (Note): ${truncate(v.Note, 200)}` };
  if (typeof v.Information === 'string') {
    const info = v.Information;
    if (/rate limit|requests per day|call frequency|api call volume/i.test(info))
      return { kind: 'rate-limited', scope: 'day', reason: `alphavantage rate limit (Information): ${truncate(info, 200)}` };
    return { kind: 'error', retryable: false, reason: `alphavantage GLOBAL_QUOTE ${symbol} (Information): ${truncate(info, 200)}` };
  }
  if (typeof v['Error Message'] === 'string') {
    const msg = v['Error Message'];
    const authFailure = /apikey|api key/i.test(msg);
    return {
      kind: 'error',
      retryable: false,
      ...(authFailure ? { authFailure } : {}),
      reason: `alphavantage GLOBAL_QUOTE ${symbol} (Error Message): ${truncate(msg, 200)}`,
    };
  }
  const q = v['Global Quote'];
  if (typeof q !== 'object' || q === null)
    return { kind: 'error', retryable: false, reason: `alphavantage GLOBAL_QUOTE ${symbol}: no "Global Quote" object in ${truncate(res.body, 160)}` };
  const quote = q as Record<string, unknown>;
  if (Object.keys(quote).length === 0) return { kind: 'no-data', reason: `alphavantage has no data for ${symbol} (empty "Global Quote")` };
  const price = avNumber(quote['05. price']);
  const open = avNumber(quote['02. open']);
  const high = avNumber(quote['03. high']);
  const low = avNumber(quote['04. low']);
  const prevClose = avNumber(quote['08. previous close']);
  const volume = avNumber(quote['06. volume']);
  const day = quote['07. latest trading day'];
  if (
    price === undefined ||
    open === undefined ||
    high === undefined ||
    low === undefined ||
    prevClose === undefined ||
    volume === undefined ||
    typeof day !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(day)
  ) {
    return {
      kind: 'error',
      retryable: false,
      reason: `alphavantage GLOBAL_QUOTE ${symbol}: missing or non-numeric fields in ${truncate(JSON.stringify(quote), 200)}`,
    };
  }
  const returned = typeof quote['01. symbol'] === 'string' ? quote['01. symbol'] : symbol;
  if (returned.toUpperCase() !== symbol.toUpperCase())
    return { kind: 'error', retryable: false, reason: `alphavantage answered for ${returned}, not ${symbol}` };
  const nowSeconds = new Date(Math.floor(now.getTime() / 1000) * 1000);
  // Today's session: the quote is live until the 16:00 close, then frozen at the close.
  const close = newYorkCloseUtc(day);
  const ts = day === newYorkDate(now) && nowSeconds.getTime() < Date.parse(close) ? nowSeconds.toISOString() : close;
  return { kind: 'ok', event: { schemaVersion: SCHEMA_VERSION, type: 'stock', symbol, ts, price, open, high, low, prevClose, volume, source: 'alphavantage' } };
}

// ---------------------------------------------------------------------------------------------
// Open-Meteo

export const OPEN_METEO_BASE_URL = 'https://api.open-meteo.com/v1/forecast';
export const OPEN_METEO_CURRENT_VARIABLES = ['temperature_2m', 'relative_humidity_2m', 'precipitation', 'wind_speed_10m', 'pressure_msl'] as const;

export function openMeteoCurrentRequest(latitude: number, longitude: number, baseUrl = OPEN_METEO_BASE_URL): HttpRequest {
  const q = `latitude=${latitude}&longitude=${longitude}&current=${OPEN_METEO_CURRENT_VARIABLES.join(',')}&wind_speed_unit=kmh&temperature_unit=celsius&precipitation_unit=mm&timezone=GMT`;
  return { url: `${baseUrl}?${q}`, headers: { Accept: 'application/json' } };
}

/** Current and old (pre-2023) variable names; the first present wins. */
const VARIABLE_NAMES = {
  tempC: ['temperature_2m', 'temperature'],
  humidity: ['relative_humidity_2m', 'relativehumidity_2m'],
  precipMm: ['precipitation', 'rain'],
  windKph: ['wind_speed_10m', 'windspeed_10m', 'windspeed'],
  pressureHpa: ['pressure_msl', 'surface_pressure'],
} as const;
type WeatherField = keyof typeof VARIABLE_NAMES;

function convert(field: WeatherField, value: number, unit: string | undefined): number {
  if (unit === undefined) return value;
  if (field === 'tempC' && /°?F$/.test(unit)) return ((value - 32) * 5) / 9;
  if (field === 'windKph') {
    if (unit === 'm/s') return value * 3.6;
    if (unit === 'mph') return value * 1.609344;
    if (unit === 'kn') return value * 1.852;
  }
  if (field === 'precipMm' && unit === 'inch') return value * 25.4;
  return value;
}

export interface OpenMeteoReading {
  /** Observation time, UTC ISO. */
  readonly ts: string;
  readonly values: Partial<Record<WeatherField, number>>;
  /** Which block was read. */
  readonly block: 'current' | 'hourly' | 'current_weather';
}

/** Local Open-Meteo time (`2026-07-11T00:00`) + utc_offset_seconds → UTC ISO. */
function openMeteoTimeToUtc(time: string, offsetSeconds: number): string | undefined {
  const ms = Date.parse(`${time.length === 16 ? `${time}:00` : time}Z`);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms - offsetSeconds * 1000).toISOString();
}

/**
 * Reads whatever weather variables a forecast body carries: the `current` block when present,
 * else the latest `hourly` entry at or before `now` (or the first), else the legacy
 * `current_weather` block (temperature and wind only). Units are converted to °C, km/h, mm.
 */
export function readOpenMeteo(body: Record<string, unknown>, now: Date): OpenMeteoReading | { error: string } {
  const offset = finite(body.utc_offset_seconds) ? body.utc_offset_seconds : 0;
  const pick = (
    block: Record<string, unknown>,
    units: Record<string, unknown> | undefined,
    at: (v: unknown) => unknown,
  ): Partial<Record<WeatherField, number>> => {
    const values: Partial<Record<WeatherField, number>> = {};
    for (const field of Object.keys(VARIABLE_NAMES) as WeatherField[]) {
      for (const name of VARIABLE_NAMES[field]) {
        const raw = at(block[name]);
        if (finite(raw)) {
          const unit = units?.[name];
          values[field] = convert(field, raw, typeof unit === 'string' ? unit : undefined);
          break;
        }
      }
    }
    return values;
  };
  const current = body.current;
  if (typeof current === 'object' && current !== null && typeof (current as Record<string, unknown>).time === 'string') {
    const c = current as Record<string, unknown>;
    const ts = openMeteoTimeToUtc(c.time as string, offset);
    if (!ts) return { error: `current.time ${JSON.stringify(c.time)} is not a time` };
    return { ts, block: 'current', values: pick(c, body.current_units as Record<string, unknown> | undefined, (v) => v) };
  }
  const hourly = body.hourly;
  if (typeof hourly === 'object' && hourly !== null && Array.isArray((hourly as Record<string, unknown>).time)) {
    const h = hourly as Record<string, unknown>;
    const times = (h.time as unknown[]).map((t) => (typeof t === 'string' ? openMeteoTimeToUtc(t, offset) : undefined));
    let index = -1;
    times.forEach((t, i) => {
      if (t !== undefined && Date.parse(t) <= now.getTime()) index = i;
    });
    if (index < 0) index = times.findIndex((t) => t !== undefined);
    if (index < 0) return { error: 'hourly.time holds no times' };
    return {
      ts: times[index]!,
      block: 'hourly',
      values: pick(h, body.hourly_units as Record<string, unknown> | undefined, (v) => (Array.isArray(v) ? v[index] : undefined)),
    };
  }
  const legacy = body.current_weather;
  if (typeof legacy === 'object' && legacy !== null && typeof (legacy as Record<string, unknown>).time === 'string') {
    const c = legacy as Record<string, unknown>;
    const ts = openMeteoTimeToUtc(c.time as string, offset);
    if (!ts) return { error: `current_weather.time ${JSON.stringify(c.time)} is not a time` };
    return { ts, block: 'current_weather', values: pick(c, body.current_weather_units as Record<string, unknown> | undefined, (v) => v) };
  }
  return { error: 'no current, hourly or current_weather block' };
}

export function mapOpenMeteoCurrent(city: string, res: ProviderResponse, now: Date): Outcome<WeatherObservation> {
  const bad = statusOutcome('open-meteo', res, res.status === 200 ? undefined : errorTextOf(res.body));
  if (bad) return bad;
  const parsed = parseJson(res.body);
  if (!parsed.ok) return { kind: 'error', retryable: true, reason: `open-meteo ${city}: ${parsed.reason}` };
  if (parsed.value.error === true) return { kind: 'error', retryable: false, reason: `open-meteo ${city}: ${String(parsed.value.reason ?? 'error')}` };
  const reading = readOpenMeteo(parsed.value, now);
  if ('error' in reading) return { kind: 'error', retryable: false, reason: `open-meteo ${city}: ${reading.error}` };
  const missing = (Object.keys(VARIABLE_NAMES) as WeatherField[]).filter((f) => reading.values[f] === undefined);
  if (missing.length > 0) {
    return {
      kind: 'error',
      retryable: false,
      reason: `open-meteo ${city}: the ${reading.block} block lacks ${missing.map((f) => VARIABLE_NAMES[f][0]).join(', ')}; request them in current=`,
    };
  }
  const v = reading.values as Record<WeatherField, number>;
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    kind: 'ok',
    event: {
      schemaVersion: SCHEMA_VERSION,
      type: 'weather',
      city,
      ts: reading.ts,
      tempC: r(v.tempC),
      humidity: r(v.humidity),
      windKph: r(v.windKph),
      precipMm: r(v.precipMm),
      pressureHpa: r(v.pressureHpa),
      source: 'open-meteo',
    },
  };
}
