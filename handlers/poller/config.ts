/**
 * Poller configuration from FUNCTIONS.poller:
 *
 * | variable               | format                                                | example                                    |
 * | ---------------------- | ----------------------------------------------------- | ------------------------------------------ |
 * | STREAM_NAME            | Kinesis stream name                                   | `stock-weather-dev-events`                 |
 * | SYMBOLS                | comma-separated tickers (A–Z 0–9 . -, ≤ 10 chars)     | `AAPL,MSFT,BRK.B`                          |
 * | CITIES                 | comma-separated `Name:lat:lon`, or a bare name from   | `Amsterdam:52.37:4.89,London`              |
 * |                        | KNOWN_CITIES                                          |                                            |
 * | MARKET_DATA_SECRET_ARN | secret holding the key: plain string or JSON with     | `{"apiKey":"…"}`                           |
 * |                        | `apiKey`                                              |                                            |
 * | MARKET_DATA_PROVIDER   | `finnhub` or `alphavantage`                           | `finnhub`                                  |
 * | LEASE_TABLE_NAME       | LatestTable (lease item `LEASE#poller`)               | `stock-weather-dev-latest`                 |
 *
 * Every problem is collected and reported at once, repeating the bad value.
 */
import { anchored, CITY_NAME, LATITUDE_RANGE, LONGITUDE_RANGE, matcher, SYMBOL } from '../../contracts/values';
import { ConfigurationError } from '../lib/errors';
import { STOCK_PROVIDERS, type StockProvider } from './providers';

export interface City {
  readonly name: string;
  readonly latitude: number;
  readonly longitude: number;
}

/** Cities that may be configured by name alone (coordinates of the city centre). */
export const KNOWN_CITIES: Readonly<Record<string, { latitude: number; longitude: number }>> = {
  Amsterdam: { latitude: 52.374, longitude: 4.89 },
  Berlin: { latitude: 52.52, longitude: 13.405 },
  Chicago: { latitude: 41.878, longitude: -87.63 },
  Dubai: { latitude: 25.205, longitude: 55.271 },
  Frankfurt: { latitude: 50.11, longitude: 8.682 },
  'Hong Kong': { latitude: 22.32, longitude: 114.17 },
  London: { latitude: 51.507, longitude: -0.128 },
  'Los Angeles': { latitude: 34.052, longitude: -118.244 },
  Madrid: { latitude: 40.417, longitude: -3.704 },
  Mumbai: { latitude: 19.076, longitude: 72.878 },
  'New York': { latitude: 40.713, longitude: -74.006 },
  Paris: { latitude: 48.857, longitude: 2.352 },
  'San Francisco': { latitude: 37.775, longitude: -122.419 },
  'Sao Paulo': { latitude: -23.55, longitude: -46.633 },
  Seattle: { latitude: 47.606, longitude: -122.332 },
  Singapore: { latitude: 1.352, longitude: 103.82 },
  Sydney: { latitude: -33.869, longitude: 151.209 },
  Tokyo: { latitude: 35.676, longitude: 139.65 },
  Toronto: { latitude: 43.653, longitude: -79.383 },
  Zurich: { latitude: 47.377, longitude: 8.541 },
};

// The shapes the root parameters and parameters/schema.json enforce too (contracts/values.ts):
// a value that passes deploy validation is one the poller accepts.
const SYMBOL_PATTERN = matcher(anchored(SYMBOL));
const CITY_NAME_PATTERN = matcher(anchored(CITY_NAME));

function splitList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function parseSymbols(raw: string | undefined, problems: string[]): string[] {
  const symbols: string[] = [];
  for (const s of splitList(raw)) {
    const symbol = s.toUpperCase();
    if (!SYMBOL_PATTERN.test(symbol)) problems.push(`SYMBOLS: ${JSON.stringify(s)} must be ${SYMBOL.description}`);
    else if (!symbols.includes(symbol)) symbols.push(symbol);
  }
  return symbols;
}

export function parseCities(raw: string | undefined, problems: string[]): City[] {
  const cities: City[] = [];
  for (const entry of splitList(raw)) {
    // The name is taken as written (the entry is trimmed as a whole): the shape forbids edge spaces.
    const parts = entry.split(':');
    const name = parts[0] ?? '';
    if (!CITY_NAME_PATTERN.test(name)) {
      problems.push(`CITIES: ${JSON.stringify(entry)} has no usable city name: it must be ${CITY_NAME.description}`);
      continue;
    }
    if (parts.length === 1) {
      const known = KNOWN_CITIES[name];
      if (!known) {
        problems.push(`CITIES: ${JSON.stringify(name)} is not in the built-in table; write it as Name:lat:lon (e.g. ${name}:52.37:4.89)`);
        continue;
      }
      cities.push({ name, ...known });
      continue;
    }
    if (parts.length !== 3) {
      problems.push(`CITIES: ${JSON.stringify(entry)} must be Name:lat:lon or a bare known city name`);
      continue;
    }
    const latitude = Number(parts[1]);
    const longitude = Number(parts[2]);
    if (parts[1]!.trim() === '' || !Number.isFinite(latitude) || latitude < LATITUDE_RANGE.min || latitude > LATITUDE_RANGE.max)
      problems.push(`CITIES: ${JSON.stringify(entry)} latitude must be a number in [${LATITUDE_RANGE.min}, ${LATITUDE_RANGE.max}]`);
    else if (parts[2]!.trim() === '' || !Number.isFinite(longitude) || longitude < LONGITUDE_RANGE.min || longitude > LONGITUDE_RANGE.max)
      problems.push(`CITIES: ${JSON.stringify(entry)} longitude must be a number in [${LONGITUDE_RANGE.min}, ${LONGITUDE_RANGE.max}]`);
    else if (cities.some((c) => c.name === name)) problems.push(`CITIES: ${JSON.stringify(name)} is listed twice`);
    else cities.push({ name, latitude, longitude });
  }
  return cities;
}

export interface PollerConfig {
  readonly streamName: string;
  readonly symbols: readonly string[];
  readonly cities: readonly City[];
  readonly marketDataSecretArn: string;
  readonly provider: StockProvider;
  readonly leaseTableName: string;
}

export function pollerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PollerConfig {
  const problems: string[] = [];
  const need = (name: string): string => {
    const v = env[name]?.trim();
    if (!v) problems.push(`${name} is not set`);
    return v ?? '';
  };
  const streamName = need('STREAM_NAME');
  const leaseTableName = need('LEASE_TABLE_NAME');
  const symbols = parseSymbols(env.SYMBOLS, problems);
  const cities = parseCities(env.CITIES, problems);
  const marketDataSecretArn = symbols.length > 0 ? need('MARKET_DATA_SECRET_ARN') : (env.MARKET_DATA_SECRET_ARN ?? '');
  // Required like every other variable: the template always sets it (no default here to drift).
  const providerRaw = need('MARKET_DATA_PROVIDER').toLowerCase();
  if (providerRaw !== '' && !STOCK_PROVIDERS.includes(providerRaw as StockProvider))
    problems.push(`MARKET_DATA_PROVIDER must be one of ${STOCK_PROVIDERS.join(', ')} (got ${JSON.stringify(env.MARKET_DATA_PROVIDER)})`);
  if (symbols.length === 0 && cities.length === 0) problems.push('SYMBOLS and CITIES are both empty: nothing to poll');
  if (problems.length > 0) throw new ConfigurationError(`poller environment: ${problems.join('; ')}`);
  return { streamName, symbols, cities, marketDataSecretArn, provider: providerRaw as StockProvider, leaseTableName };
}
