/**
 * The compiled canonical-schema validators. This module is what tests and the demo run (ajv
 * compiles at import); the Lambda bundles replace it with ajv standalone code generated at build
 * time by tools/lib/bundle.ts from {@link ajvOptions} and the same schemas, so both paths
 * validate identically.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import type { StockTick, WeatherObservation } from './contracts';
import { stockTickSchema, weatherObservationSchema } from './schema-definitions';

/** Shared by the runtime compile here and the build-time standalone code. */
export const ajvOptions = { allErrors: true, strict: true } as const;

/** A fresh Ajv holding both schemas (by `$id`: `stock`, `weather`). */
export function schemaAjv(extra: { code?: { source?: boolean } } = {}): Ajv {
  return new Ajv({ ...ajvOptions, ...extra, schemas: [stockTickSchema, weatherObservationSchema] });
}

const ajv = schemaAjv();
export const validateStock = ajv.getSchema('stock') as ValidateFunction<StockTick>;
export const validateWeather = ajv.getSchema('weather') as ValidateFunction<WeatherObservation>;
