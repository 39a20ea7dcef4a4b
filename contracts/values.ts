/**
 * Value shapes that more than one side of the project checks: the root template (AllowedPattern),
 * the generated `parameters/schema.json`, and the handlers that re-validate their environment
 * and events. Each shape is written once, here.
 *
 * Why a top-level module: DESIGN §2 forbids templates-src/ → handlers/ and handlers/ →
 * templates-src/, so a shape both need cannot live in either. This module imports nothing, so
 * every side may import it without creating a new dependency direction.
 *
 * Patterns are unanchored fragments in the syntax CloudFormation (Java), ajv (JavaScript with the
 * `u` flag), cfn-lint (Python `regex`) and the handlers (JavaScript `u`) all read the same way:
 * character classes, `\p{L}`/`\p{N}`, `(?:…)`, `{m,n}`. Compose them with {@link anchored},
 * {@link listOf} and {@link optional}; test them with {@link matcher}.
 */

/** A value shape: an unanchored pattern and how to describe it to a person. */
export interface ValueShape {
  readonly pattern: string;
  /** Completes "must be …" in error messages and schema descriptions. */
  readonly description: string;
}

/** A stock ticker: `AAPL`, `BRK.B`, `RDS-A`. The Kinesis partition key of a stock tick. */
export const SYMBOL: ValueShape = {
  pattern: '[A-Z0-9.\\-]{1,10}',
  description: 'a ticker of 1-10 upper-case letters, digits, dots or dashes, e.g. AAPL or BRK.B',
};

/**
 * A configured city name: `Amsterdam`, `New York`, `St. John's`, `São Paulo`. 1-64 characters of
 * letters, digits, spaces, `.`, `'` and `-`, starting with a letter or digit and not ending in a
 * space or dash, so the name the poller polls is exactly the name in the parameter file (it
 * trims nothing away). No `,` or `:`: they separate entries of the Cities parameter.
 */
export const CITY_NAME: ValueShape = {
  pattern: "[\\p{L}\\p{N}](?:[\\p{L}\\p{N} .'-]{0,62}[\\p{L}\\p{N}.'])?",
  description:
    'a city name of 1-64 letters, digits, spaces, dots, apostrophes or dashes, starting with a letter or digit (no commas, colons, brackets or slashes)',
};

/** Longest city name {@link CITY_NAME} admits (its pattern encodes the same bound). */
export const CITY_NAME_MAX_LENGTH = 64;

/** A decimal coordinate as the Cities parameter writes it: `52.37`, `-74.01`, `4`. */
export const COORDINATE: ValueShape = { pattern: '-?\\d{1,3}(?:\\.\\d+)?', description: 'a decimal number such as 52.37 or -74.01' };

export const LATITUDE_RANGE = { min: -90, max: 90 } as const;
export const LONGITUDE_RANGE = { min: -180, max: 180 } as const;

/** One entry of the Cities parameter: `Name:latitude:longitude`. */
export const CITY_ENTRY: ValueShape = {
  pattern: `${CITY_NAME.pattern}:${COORDINATE.pattern}:${COORDINATE.pattern}`,
  description: 'Name:latitude:longitude, e.g. Amsterdam:52.37:4.89',
};

/** An AWS region name as our parameters accept it: `us-east-1`, `us-gov-west-1`. */
export const REGION: ValueShape = { pattern: '[a-z]{2}(?:-gov)?-[a-z]+-\\d', description: 'an AWS region name such as us-east-1' };

/** A 12-digit AWS account ID. */
export const ACCOUNT_ID: ValueShape = { pattern: '\\d{12}', description: 'a 12-digit AWS account ID' };

/** The stock quote APIs the poller can call (the first is the default). */
export const MARKET_DATA_PROVIDERS = ['finnhub', 'alphavantage'] as const;
export type MarketDataProvider = (typeof MARKET_DATA_PROVIDERS)[number];

/** `^(?:p)$`: the whole value has the shape. */
export function anchored(shape: ValueShape | string): string {
  return `^(?:${typeof shape === 'string' ? shape : shape.pattern})$`;
}

/** `^(?:p)(?:,(?:p))*$`: a non-empty comma-separated list, no spaces. */
export function listOf(shape: ValueShape): string {
  return `^(?:${shape.pattern})(?:,(?:${shape.pattern}))*$`;
}

/** `^$|<anchored>`: empty (feature off) or the shape. `pattern` may itself be a full anchored pattern. */
export function optional(pattern: string): string {
  return `^$|${pattern}`;
}

/** A RegExp for a full pattern built above, with the `u` flag (needed for `\p{…}`). */
export function matcher(pattern: string): RegExp {
  return new RegExp(pattern, 'u');
}

/**
 * How far a producer's `ts` may be ahead of the record's Kinesis arrival before the enricher
 * quarantines it as `future-timestamp` (RELIABILITY 7): 5 minutes. The template passes it to the
 * enricher and aggregator as MAX_CLOCK_SKEW_SECONDS from the root parameter MaxClockSkewSeconds,
 * whose default this is (templates-src/parameters.ts); programmatic
 * configs (tests, the local demo) default to it.
 */
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;
