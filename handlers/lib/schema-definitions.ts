/**
 * The canonical event schemas (DESIGN §4) as the enricher's ajv reads them: contracts/events.ts,
 * the one copy POST /ingest's request model is also built from, with the ajv ids and types.
 */
import type { JSONSchemaType } from 'ajv';
import { STOCK_TICK_SCHEMA, WEATHER_OBSERVATION_SCHEMA } from '../../contracts/events';
import type { StockTick, WeatherObservation } from './contracts';

export { ISO_UTC_PATTERN } from '../../contracts/events';

export const stockTickSchema = { $id: 'stock', ...STOCK_TICK_SCHEMA } as unknown as JSONSchemaType<StockTick>;

export const weatherObservationSchema = { $id: 'weather', ...WEATHER_OBSERVATION_SCHEMA } as unknown as JSONSchemaType<WeatherObservation>;
