/**
 * The canonical events (DESIGN §4) as JSON Schema, written once for both places that check them:
 * the enricher validates every Kinesis record with these schemas (handlers/lib/schema.ts, ajv,
 * draft-07), and `POST /ingest` validates every request body with the same schemas turned into API
 * Gateway's dialect, draft 4 ({@link toDraft04}; templates-src/lib/ingest.ts). So an event the API
 * accepts is one the enricher accepts, and one it would quarantine for its shape is a 400 at the
 * edge instead (RELIABILITY 6), not a 200 followed by a quarantined record.
 *
 * Beyond these schemas the enricher also checks what JSON Schema cannot say (a real calendar
 * instant, `low ≤ high`, the clock skew against the Kinesis arrival); those stay its own.
 */
import { anchored, SYMBOL } from './values';

/** Version written into every canonical event and every enriched row. */
export const SCHEMA_VERSION = 1;

/** ISO-8601 UTC with a `Z` suffix and 0–9 fractional digits: `2026-11-20T14:30:00Z`, `…:00.123Z`. */
export const ISO_UTC_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$';

/**
 * A city name in an event (1-64 characters: minLength/maxLength beside it), none of its characters a control character, `#` (the entity key
 * is `WEATHER#<city>`), `"` or `\` (the /ingest mapping template embeds the name in JSON verbatim).
 * Looser than the configured names of contracts/values.ts CITY_NAME, which the poller polls: any
 * producer may post other names.
 */
export const EVENT_CITY_PATTERN = '^[^"\\\\#\\u0000-\\u001f]+$';

const positivePrice = { type: 'number', exclusiveMinimum: 0, maximum: 1e9 } as const;
const source = { type: 'string', minLength: 1, maxLength: 64 } as const;
const ts = { type: 'string', pattern: ISO_UTC_PATTERN } as const;
const schemaVersion = { type: 'integer', const: SCHEMA_VERSION } as const;

/** A stock tick (draft-07). */
export const STOCK_TICK_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'type', 'symbol', 'ts', 'price', 'open', 'high', 'low', 'prevClose', 'volume', 'source'],
  properties: {
    schemaVersion,
    type: { type: 'string', const: 'stock' },
    symbol: { type: 'string', pattern: anchored(SYMBOL) },
    ts,
    price: positivePrice,
    open: positivePrice,
    high: positivePrice,
    low: positivePrice,
    prevClose: positivePrice,
    volume: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    source,
  },
} as const;

/** A weather observation (draft-07). */
export const WEATHER_OBSERVATION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'type', 'city', 'ts', 'tempC', 'humidity', 'windKph', 'precipMm', 'pressureHpa', 'source'],
  properties: {
    schemaVersion,
    type: { type: 'string', const: 'weather' },
    city: { type: 'string', minLength: 1, maxLength: 64, pattern: EVENT_CITY_PATTERN },
    ts,
    tempC: { type: 'number', minimum: -100, maximum: 70 },
    humidity: { type: 'number', minimum: 0, maximum: 100 },
    windKph: { type: 'number', minimum: 0, maximum: 500 },
    precipMm: { type: 'number', minimum: 0, maximum: 1000 },
    pressureHpa: { type: 'number', minimum: 800, maximum: 1100 },
    source,
  },
} as const;

type Json = { readonly [key: string]: unknown };

/**
 * The same schema in JSON Schema draft 4, the dialect of API Gateway models. The keywords used
 * above mean the same in both drafts except two, rewritten here:
 *
 * | draft-07                | draft-04                                  |
 * |-------------------------|-------------------------------------------|
 * | `exclusiveMinimum: n`   | `minimum: n, exclusiveMinimum: true`      |
 * | `exclusiveMaximum: n`   | `maximum: n, exclusiveMaximum: true`      |
 * | `const: v`              | `enum: [v]`                               |
 *
 * Any other draft-06+ keyword is refused, so a schema edit cannot silently lose a rule at the edge.
 */
export function toDraft04(schema: Json): Json {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
      const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
      if (typeof value !== 'number' || bound in schema) throw new Error(`toDraft04: ${key} must be a number without ${bound} beside it`);
      out[bound] = value;
      out[key] = true;
    } else if (key === 'const') {
      out.enum = [value];
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Json).map(([name, s]) => [name, toDraft04(s as Json)]));
    } else if (DRAFT04_KEYWORDS.has(key)) {
      out[key] = value;
    } else {
      throw new Error(`toDraft04: keyword ${key} has no draft-04 form here; add its rewrite`);
    }
  }
  return out;
}

const DRAFT04_KEYWORDS = new Set([
  'type',
  'additionalProperties',
  'required',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'enum',
  'title',
  'description',
]);
