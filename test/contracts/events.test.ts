/**
 * One contract at both ends: an event POST /ingest's request model (draft 4, API Gateway) accepts
 * is one the enricher's schema check (handlers/lib/schema.ts) accepts, and the other way round.
 */
import Ajv04 from 'ajv-draft-04';
import { STOCK_TICK_SCHEMA, toDraft04 } from '../../contracts/events';
import { eventProblem } from '../../handlers/lib/schema';
import { INGEST_BATCH_SCHEMA } from '../../templates-src/lib/ingest';
import { stockTick, weatherObservation } from '../fixtures/events';

const apiAccepts = new Ajv04({ strict: false }).compile(JSON.parse(JSON.stringify(INGEST_BATCH_SCHEMA)));

// The fixtures' events, with a non-ASCII city: the contract allows any name without `"`, `\`, `#` or control characters.
const tick: Record<string, unknown> = { ...stockTick() };
const observation: Record<string, unknown> = { ...weatherObservation({ city: 'São Paulo' }) };

describe.each<[string, Record<string, unknown>, boolean]>([
  ['a tick', tick, true],
  ['an observation', observation, true],
  ['a timestamp with an offset', { ...tick, ts: '2026-11-20T15:30:00+01:00' }, false],
  ['a price of 0', { ...tick, price: 0 }, false],
  ['a price above the bound', { ...tick, price: 2e9 }, false],
  ['a fractional volume', { ...tick, volume: 1.5 }, false],
  ['a lower-case symbol', { ...tick, symbol: 'aapl' }, false],
  ['another schema version', { ...tick, schemaVersion: 2 }, false],
  ['an extra field', { ...tick, note: 'x' }, false],
  ['a missing field', { ...tick, prevClose: undefined }, false],
  ['a city with #', { ...observation, city: 'A#B' }, false],
  ['a city with a quote', { ...observation, city: 'New "York"' }, false],
  ['a 65-character city', { ...observation, city: 'x'.repeat(65) }, false],
  ['humidity above 100', { ...observation, humidity: 101 }, false],
  ['pressure below 800', { ...observation, pressureHpa: 0 }, false],
  ['an unknown type', { ...tick, type: 'crypto' }, false],
])('%s', (_what, event, valid) => {
  const body = JSON.parse(JSON.stringify({ records: [event] }));
  test(`POST /ingest ${valid ? 'accepts' : 'rejects'} it`, () => {
    expect(apiAccepts(body)).toBe(valid);
  });
  test(`the enricher ${valid ? 'accepts' : 'quarantines'} it`, () => {
    expect(eventProblem(body.records[0]) === undefined).toBe(valid);
  });
});

describe('toDraft04', () => {
  test('rewrites the draft-07 forms API Gateway does not read', () => {
    expect(toDraft04({ type: 'number', exclusiveMinimum: 0, maximum: 5 })).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 5 });
    expect(toDraft04({ type: 'string', const: 'stock' })).toEqual({ type: 'string', enum: ['stock'] });
    expect(toDraft04(STOCK_TICK_SCHEMA).properties).toMatchObject({ price: { minimum: 0, exclusiveMinimum: true } });
  });
  test.each([[{ if: {} }], [{ exclusiveMinimum: 0, minimum: 1 }], [{ properties: { a: { format: 'date-time' } } }]])(
    'refuses %j rather than lose a rule',
    (schema) => {
      expect(() => toDraft04(schema)).toThrow(/toDraft04/);
    },
  );
});
