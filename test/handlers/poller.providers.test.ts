import {
  alphaVantageQuoteRequest,
  finnhubQuoteRequest,
  mapAlphaVantageGlobalQuote,
  mapFinnhubQuote,
  mapOpenMeteoCurrent,
  newYorkCloseUtc,
  newYorkOffsetMinutes,
  openMeteoCurrentRequest,
} from '../../handlers/poller/providers';
import { parseCities, parseSymbols, pollerConfigFromEnv } from '../../handlers/poller/config';
import { equalJitterDelay } from '../../handlers/lib/backoff';
import { redactUrl, retryAfterMs } from '../../handlers/lib/http';
import { recorded, type ProviderFixture } from '../fixtures/providers';

const NOW = new Date('2026-11-20T15:00:00.000Z');
const res = (name: ProviderFixture, extra: { status?: number; retryAfterMs?: number } = {}) => {
  const r = recorded(name, extra.status !== undefined ? { status: extra.status } : {});
  return { status: r.status, body: r.body, ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}) };
};

describe('Finnhub /quote', () => {
  test('a quote maps every field; t is epoch seconds; no volume in /quote → 0', () => {
    expect(mapFinnhubQuote('MSFT', res('finnhub/quote_MSFT'))).toEqual({
      kind: 'ok',
      event: {
        schemaVersion: 1,
        type: 'stock',
        symbol: 'MSFT',
        ts: '2025-11-20T20:00:00.000Z',
        price: 415.5,
        open: 418.2,
        high: 419.88,
        low: 414.02,
        prevClose: 418.77,
        volume: 0,
        source: 'finnhub',
      },
    });
  });
  test.each([
    ['all-zero body (unknown symbol, HTTP 200)', res('finnhub/quote_unknown_symbol_all_zero'), { kind: 'no-data' }],
    ['HTTP 429', res('finnhub/error_429_api_limit', { retryAfterMs: 1000 }), { kind: 'rate-limited', scope: 'minute', retryAfterMs: 1000 }],
    ['HTTP 401 invalid key', res('finnhub/error_401_invalid_key'), { kind: 'error', retryable: false, authFailure: true }],
    ['HTTP 502', { status: 502, body: '<html>Bad Gateway</html>' }, { kind: 'error', retryable: true }],
    ['HTML with 200', { status: 200, body: '<html>maintenance</html>' }, { kind: 'error', retryable: true }],
    ['missing fields', { status: 200, body: '{"c":1}' }, { kind: 'error', retryable: false }],
  ])('%s', (_label, response, expected) => {
    expect(mapFinnhubQuote('ZZZZ', response)).toMatchObject(expected);
  });
  test('429 reason quotes the provider text', () => {
    const out = mapFinnhubQuote('AAPL', res('finnhub/error_429_api_limit'));
    expect(out.kind === 'rate-limited' && out.reason).toContain('API limit reached');
  });
  test('the key travels in a header, not the URL', () => {
    const req = finnhubQuoteRequest('BRK.B', 'secret-key');
    expect(req.url).toBe('https://finnhub.io/api/v1/quote?symbol=BRK.B');
    expect(req.headers['X-Finnhub-Token']).toBe('secret-key');
  });
});

describe('Alpha Vantage GLOBAL_QUOTE', () => {
  test('string values with "%" parse; a past trading day is stamped 16:00 New York', () => {
    expect(mapAlphaVantageGlobalQuote('IBM', res('alphavantage/global_quote_IBM'), new Date('2026-11-22T12:00:00Z'))).toEqual({
      kind: 'ok',
      event: {
        schemaVersion: 1,
        type: 'stock',
        symbol: 'IBM',
        ts: '2026-11-20T21:00:00.000Z',
        price: 291.02,
        open: 289.1,
        high: 292.45,
        low: 286.73,
        prevClose: 288.55,
        volume: 3981572,
        source: 'alphavantage',
      },
    });
  });
  test.each([
    ["during today's session (New York): now, to the second", '2026-11-20T15:00:00.456Z', '2026-11-20T15:00:00.000Z'],
    ["after today's close: the close", '2026-11-20T23:30:00.000Z', '2026-11-20T21:00:00.000Z'],
    ['next morning before the open: the previous close', '2026-11-21T13:00:00.000Z', '2026-11-20T21:00:00.000Z'],
    ['late evening UTC that is still the same day in New York', '2026-11-21T02:00:00.000Z', '2026-11-20T21:00:00.000Z'],
  ])('ts %s', (_label, now, ts) => {
    const out = mapAlphaVantageGlobalQuote('IBM', res('alphavantage/global_quote_IBM'), new Date(now));
    expect(out.kind === 'ok' && out.event.ts).toBe(ts);
  });
  test.each([
    ['"Note" with HTTP 200 → per-minute rate limit', 'alphavantage/note_rate_limit_per_minute', { kind: 'rate-limited', scope: 'minute' }],
    ['"Information" daily quota with HTTP 200 → per-day rate limit', 'alphavantage/information_rate_limit_per_day', { kind: 'rate-limited', scope: 'day' }],
    ['"Error Message" with HTTP 200 → error, not retried', 'alphavantage/error_message_invalid_call', { kind: 'error', retryable: false }],
    ['empty "Global Quote" → no data', 'alphavantage/global_quote_unknown_symbol_empty', { kind: 'no-data' }],
  ] as const)('%s', (_label, fixture, expected) => {
    expect(mapAlphaVantageGlobalQuote('IBM', res(fixture), NOW)).toMatchObject(expected);
  });
  test('a quote for another symbol is an error', () => {
    expect(mapAlphaVantageGlobalQuote('MSFT', res('alphavantage/global_quote_IBM'), NOW)).toMatchObject({ kind: 'error' });
  });
  test.each([
    ['2026-07-01T12:00:00Z', -240],
    ['2026-12-01T12:00:00Z', -300],
  ])('New York offset at %s is %i min; close in UTC follows DST', (at, offset) => {
    expect(newYorkOffsetMinutes(new Date(at))).toBe(offset);
    expect(newYorkCloseUtc(at.slice(0, 10))).toBe(`${at.slice(0, 10)}T${offset === -240 ? '20' : '21'}:00:00.000Z`);
  });
  test('URL carries function, symbol and key (redacted for logs)', () => {
    const req = alphaVantageQuoteRequest('IBM', 'k&y');
    expect(req.url).toBe('https://www.alphavantage.co/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=k%26y');
    expect(redactUrl(req.url)).toBe('https://www.alphavantage.co/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=***');
  });
});

describe('Open-Meteo current weather', () => {
  test('the current block maps to a WeatherObservation', () => {
    expect(mapOpenMeteoCurrent('Amsterdam', res('open-meteo/current_Amsterdam'), NOW)).toEqual({
      kind: 'ok',
      event: {
        schemaVersion: 1,
        type: 'weather',
        city: 'Amsterdam',
        ts: '2026-11-20T14:15:00.000Z',
        tempC: 7.4,
        humidity: 86,
        windKph: 24.1,
        precipMm: 0.3,
        pressureHpa: 1008.6,
        source: 'open-meteo',
      },
    });
  });
  test('local time is shifted by utc_offset_seconds and m/s converted to km/h', () => {
    const out = mapOpenMeteoCurrent('Phoenix', res('open-meteo/current_Phoenix_heat_offset'), NOW);
    expect(out).toMatchObject({ kind: 'ok', event: { ts: '2026-07-11T22:00:00.000Z', tempC: 43.1, windKph: 19.8 } });
  });
  test('hourly with the old variable names: the latest hour at or before now', () => {
    const out = mapOpenMeteoCurrent('Oslo', res('open-meteo/hourly_old_names_Oslo'), new Date('2026-11-20T14:30:00Z'));
    // 15:00 local (UTC+1) = 14:00 UTC is the latest hour ≤ 14:30 UTC.
    expect(out).toMatchObject({
      kind: 'ok',
      event: { ts: '2026-11-20T14:00:00.000Z', tempC: -13.1, humidity: 80, windKph: 9, precipMm: 0, pressureHpa: 1021.9 },
    });
  });
  test.each([
    ['HTTP 400 error body', res('open-meteo/error_400_invalid_variable'), { kind: 'error', retryable: false }],
    ['HTTP 429', { status: 429, body: '{"error":true,"reason":"Too many concurrent requests"}' }, { kind: 'rate-limited' }],
    ['HTTP 503', { status: 503, body: '' }, { kind: 'error', retryable: true }],
    ['200 with error:true', { status: 200, body: '{"error":true,"reason":"Latitude must be in range of -90 to 90°."}' }, { kind: 'error', retryable: false }],
    [
      'missing variables',
      { status: 200, body: '{"utc_offset_seconds":0,"current":{"time":"2026-11-20T14:00","temperature_2m":3}}' },
      { kind: 'error', retryable: false },
    ],
  ])('%s', (_label, response, expected) => {
    expect(mapOpenMeteoCurrent('X', response, NOW)).toMatchObject(expected);
  });
  test('the 400 reason is passed on', () => {
    const out = mapOpenMeteoCurrent('X', res('open-meteo/error_400_invalid_variable'), NOW);
    expect(out.kind === 'error' && out.reason).toContain('Cannot initialize WeatherVariable');
  });
  test('request asks for current variables in km/h and GMT', () => {
    expect(openMeteoCurrentRequest(52.37, 4.89).url).toBe(
      'https://api.open-meteo.com/v1/forecast?latitude=52.37&longitude=4.89&current=temperature_2m,relative_humidity_2m,precipitation,wind_speed_10m,pressure_msl&wind_speed_unit=kmh&temperature_unit=celsius&precipitation_unit=mm&timezone=GMT',
    );
  });
});

describe('configuration', () => {
  test.each([
    ['Amsterdam:52.37:4.89', [{ name: 'Amsterdam', latitude: 52.37, longitude: 4.89 }]],
    [
      'New York , Sydney',
      [
        { name: 'New York', latitude: 40.713, longitude: -74.006 },
        { name: 'Sydney', latitude: -33.869, longitude: 151.209 },
      ],
    ],
    [
      'Reykjavik:64.15:-21.94,London',
      [
        { name: 'Reykjavik', latitude: 64.15, longitude: -21.94 },
        { name: 'London', latitude: 51.507, longitude: -0.128 },
      ],
    ],
  ])('CITIES=%s', (raw, expected) => {
    const problems: string[] = [];
    expect(parseCities(raw, problems)).toEqual(expected);
    expect(problems).toEqual([]);
  });
  test.each([
    ['Atlantis', /not in the built-in table/],
    ['X:91:0', /latitude must be a number in \[-90, 90\]/],
    ['X:0:181', /longitude/],
    ['X:1', /must be Name:lat:lon/],
    ['X:a:b', /latitude/],
  ])('CITIES=%s is rejected', (raw, message) => {
    const problems: string[] = [];
    parseCities(raw, problems);
    expect(problems.join('\n')).toMatch(message);
  });
  test('SYMBOLS are upper-cased, de-duplicated and checked', () => {
    const problems: string[] = [];
    expect(parseSymbols('aapl, MSFT,AAPL,brk.b', problems)).toEqual(['AAPL', 'MSFT', 'BRK.B']);
    parseSymbols('TOO-LONG-SYMBOL,$X', problems);
    expect(problems).toHaveLength(2);
  });
  test('env: every problem at once', () => {
    expect(() => pollerConfigFromEnv({ SYMBOLS: 'AAPL', CITIES: 'Atlantis', MARKET_DATA_PROVIDER: 'yahoo' })).toThrow(
      /STREAM_NAME is not set; LEASE_TABLE_NAME is not set; CITIES: "Atlantis".*MARKET_DATA_SECRET_ARN is not set; MARKET_DATA_PROVIDER must be one of finnhub, alphavantage/,
    );
  });
  test('env: MARKET_DATA_PROVIDER is required like every other variable (no default to drift from the template)', () => {
    expect(() =>
      pollerConfigFromEnv({ STREAM_NAME: 's', LEASE_TABLE_NAME: 't', SYMBOLS: 'AAPL', CITIES: 'Paris', MARKET_DATA_SECRET_ARN: 'arn:secret' }),
    ).toThrow('poller environment: MARKET_DATA_PROVIDER is not set');
  });
  test('env: a full configuration', () => {
    expect(
      pollerConfigFromEnv({
        STREAM_NAME: 's',
        LEASE_TABLE_NAME: 't',
        SYMBOLS: 'AAPL',
        CITIES: 'Paris',
        MARKET_DATA_SECRET_ARN: 'arn:secret',
        MARKET_DATA_PROVIDER: 'Finnhub',
      }),
    ).toEqual({
      streamName: 's',
      leaseTableName: 't',
      symbols: ['AAPL'],
      cities: [{ name: 'Paris', latitude: 48.857, longitude: 2.352 }],
      marketDataSecretArn: 'arn:secret',
      provider: 'finnhub',
    });
  });
});

describe('http helpers', () => {
  test.each([
    ['7', 7000],
    ['0.5', 500],
    ['Fri, 20 Nov 2026 15:00:30 GMT', 30000],
    ['Fri, 20 Nov 2026 14:00:00 GMT', 0],
    ['soon', undefined],
    [null, undefined],
  ])('Retry-After %s → %s ms', (header, ms) => {
    expect(retryAfterMs(header, NOW)).toBe(ms);
  });
  test.each([
    [0, 0, 100],
    [0, 0.999, 199],
    [3, 0, 800],
    [3, 0.5, 1200],
    [10, 0.999, 4997],
  ])('backoff attempt %i random %d → %i ms (equal jitter: [c/2, c), c = min(5000, 200·2^attempt))', (attempt, r, ms) => {
    expect(equalJitterDelay(attempt, { baseMs: 200, maxMs: 5000, random: () => r })).toBe(ms);
  });
});
