/**
 * The canonical event schema (DESIGN §4), validated with ajv compiled once at module scope.
 * Field bounds reject values no real provider produces (negative prices, humidity above 100),
 * so a bad mapping is quarantined instead of reaching the rules engine.
 */
import type { ErrorObject } from 'ajv';
import type { CanonicalEvent } from './contracts';
import * as validators from './schema-validators';

export { ISO_UTC_PATTERN, stockTickSchema, weatherObservationSchema } from './schema-definitions';

// Compiled once. In the Lambda bundles, tools/lib/bundle.ts swaps schema-validators.ts for
// ajv's standalone code generated at build time (no ajv compile at cold start: ~55 ms saved).
const { validateStock, validateWeather } = validators;

export type ValidationResult = { readonly ok: true; readonly event: CanonicalEvent } | { readonly ok: false; readonly reason: string };

function describe(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const where = e.instancePath === '' ? '(root)' : e.instancePath.slice(1);
      if (e.keyword === 'additionalProperties') return `unknown field ${(e.params as { additionalProperty: string }).additionalProperty}`;
      if (e.keyword === 'required') return `missing field ${(e.params as { missingProperty: string }).missingProperty}`;
      return `${where} ${e.message ?? e.keyword}`;
    })
    .join('; ');
}

/**
 * Validates a parsed JSON value as a canonical event. Beyond the JSON Schema: `ts` must be a
 * real calendar instant, and a stock tick's `low ≤ high`.
 */
export function validateEvent(value: unknown): ValidationResult {
  const reason = eventProblem(value);
  return reason === undefined ? { ok: true, event: value as CanonicalEvent } : { ok: false, reason };
}

/**
 * {@link validateEvent} without a result object per record (the decoder's hot path): why
 * `value` is not a canonical event, or `undefined` when it is one.
 */
export function eventProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'event must be a JSON object';
  const type = (value as { type?: unknown }).type;
  if (type === 'stock') {
    if (!validateStock(value)) return describe(validateStock.errors);
    if (value.low > value.high) return `low must not exceed high (low ${value.low}, high ${value.high})`;
  } else if (type === 'weather') {
    if (!validateWeather(value)) return describe(validateWeather.errors);
  } else {
    return `type must be "stock" or "weather" (got ${JSON.stringify(type) ?? 'nothing'})`;
  }
  const ts = (value as CanonicalEvent).ts;
  if (!isRealInstant(ts)) return `ts is not a real calendar instant (got ${JSON.stringify(ts)})`;
  return undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `2026-02-30T00:00:00Z` matches the pattern but is not a date (Date.parse would roll it over).
 * Checked arithmetically on the digits the pattern already guarantees: this runs per record.
 */
function isRealInstant(iso: string): boolean {
  // Two/four digits by char code: no substring allocation per record.
  const n2 = (at: number): number => (iso.charCodeAt(at) - 48) * 10 + (iso.charCodeAt(at + 1) - 48);
  const year = n2(0) * 100 + n2(2);
  const month = n2(5);
  const day = n2(8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day <= days && n2(11) <= 23 && n2(14) <= 59 && n2(17) <= 59;
}
