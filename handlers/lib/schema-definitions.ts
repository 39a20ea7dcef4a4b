/** The canonical event schemas (DESIGN §4) as JSON Schema: data only, shared by runtime and build. */
import type { JSONSchemaType } from 'ajv';
import { anchored, SYMBOL } from '../../contracts/values';
import { SCHEMA_VERSION, type StockTick, type WeatherObservation } from './contracts';

/** ISO-8601 UTC with a `Z` suffix and 0–9 fractional digits: `2026-11-20T14:30:00Z`, `…:00.123Z`. */
export const ISO_UTC_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$';

const positivePrice = { type: 'number', exclusiveMinimum: 0, maximum: 1e9 } as const;
const source = { type: 'string', minLength: 1, maxLength: 64 } as const;
const ts = { type: 'string', pattern: ISO_UTC_PATTERN } as const;
const schemaVersion = { type: 'integer', const: SCHEMA_VERSION } as const;

export const stockTickSchema: JSONSchemaType<StockTick> = {
  $id: 'stock',
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
} as JSONSchemaType<StockTick>;

export const weatherObservationSchema: JSONSchemaType<WeatherObservation> = {
  $id: 'weather',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'type', 'city', 'ts', 'tempC', 'humidity', 'windKph', 'precipMm', 'pressureHpa', 'source'],
  properties: {
    schemaVersion,
    type: { type: 'string', const: 'weather' },
    city: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[^#\\u0000-\\u001f]+$' },
    ts,
    tempC: { type: 'number', minimum: -100, maximum: 70 },
    humidity: { type: 'number', minimum: 0, maximum: 100 },
    windKph: { type: 'number', minimum: 0, maximum: 500 },
    precipMm: { type: 'number', minimum: 0, maximum: 1000 },
    pressureHpa: { type: 'number', minimum: 800, maximum: 1100 },
    source,
  },
} as JSONSchemaType<WeatherObservation>;
