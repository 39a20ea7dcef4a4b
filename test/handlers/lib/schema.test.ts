import { validateEvent } from '../../../handlers/lib/schema';
import { stockTick, weatherObservation } from '../../fixtures/events';

describe('validateEvent: stock ticks', () => {
  test('a well-formed tick is valid', () => {
    expect(validateEvent(stockTick())).toEqual({ ok: true, event: stockTick() });
  });

  test.each<[string, unknown, string]>([
    ['schemaVersion', 2, 'schemaVersion must be equal to constant'],
    ['schemaVersion', '1', 'schemaVersion must be integer'],
    ['symbol', 'aapl', 'symbol must match pattern'],
    ['symbol', '', 'symbol must match pattern'],
    ['symbol', 'TOOLONGSYMBOL', 'symbol must match pattern'],
    ['symbol', 42, 'symbol must be string'],
    ['ts', '2026-11-20 14:30:00', 'ts must match pattern'],
    ['ts', '2026-11-20T14:30:00+01:00', 'ts must match pattern'],
    ['ts', '2026-02-30T14:30:00Z', 'ts is not a real calendar instant'],
    ['ts', 1795703400, 'ts must be string'],
    ['price', 0, 'price must be > 0'],
    ['price', -1, 'price must be > 0'],
    ['price', '190.5', 'price must be number'],
    ['price', null, 'price must be number'],
    ['open', 0, 'open must be > 0'],
    ['high', -5, 'high must be > 0'],
    ['low', 'x', 'low must be number'],
    ['prevClose', 0, 'prevClose must be > 0'],
    ['volume', -1, 'volume must be >= 0'],
    ['volume', 1.5, 'volume must be integer'],
    ['source', '', 'source must NOT have fewer than 1 characters'],
    ['source', 'x'.repeat(65), 'source must NOT have more than 64 characters'],
    ['type', 'crypto', 'type must be "stock" or "weather"'],
  ])('%s = %j is rejected (%s)', (field, value, reason) => {
    const r = validateEvent({ ...stockTick(), [field]: value });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  test.each<[string, string]>([
    ['symbol', 'missing field symbol'],
    ['price', 'missing field price'],
    ['ts', 'missing field ts'],
    ['volume', 'missing field volume'],
  ])('missing %s is rejected', (field, reason) => {
    const { [field as keyof ReturnType<typeof stockTick>]: _drop, ...rest } = stockTick();
    const r = validateEvent(rest);
    expect(!r.ok && r.reason).toContain(reason);
  });

  test.each([
    ['2028-02-29T00:00:00Z', true],
    ['2000-02-29T12:00:00.000Z', true],
    ['2026-02-29T00:00:00Z', false],
    ['2100-02-29T00:00:00Z', false],
    ['2026-04-31T00:00:00Z', false],
    ['2026-12-31T23:59:59.999Z', true],
    ['2026-13-01T00:00:00Z', false],
    ['2026-11-20T14:60:00Z', false],
    ['2026-11-20T14:30:60Z', false],
  ])('ts %s is a real instant: %s', (ts, ok) => {
    expect(validateEvent(stockTick({ ts })).ok).toBe(ok);
  });

  test('unknown fields, low above high, and non-objects are rejected', () => {
    expect(validateEvent({ ...stockTick(), extra: 1 })).toEqual({ ok: false, reason: 'unknown field extra' });
    expect(validateEvent(stockTick({ low: 200, high: 190 }))).toEqual({ ok: false, reason: 'low must not exceed high (low 200, high 190)' });
    expect(validateEvent([stockTick()])).toEqual({ ok: false, reason: 'event must be a JSON object' });
    expect(validateEvent(null)).toEqual({ ok: false, reason: 'event must be a JSON object' });
  });

  test('every violation is reported at once', () => {
    const r = validateEvent({ ...stockTick(), price: -1, volume: -1 });
    expect(!r.ok && r.reason).toBe('price must be > 0; volume must be >= 0');
  });
});

describe('validateEvent: weather observations', () => {
  test('a well-formed observation is valid', () => {
    expect(validateEvent(weatherObservation()).ok).toBe(true);
  });

  test.each<[string, unknown, string]>([
    ['city', '', 'city must NOT have fewer than 1 characters'],
    ['city', 'Ams#terdam', 'city must match pattern'],
    ['tempC', -101, 'tempC must be >= -100'],
    ['tempC', 71, 'tempC must be <= 70'],
    ['humidity', -1, 'humidity must be >= 0'],
    ['humidity', 101, 'humidity must be <= 100'],
    ['windKph', -0.1, 'windKph must be >= 0'],
    ['precipMm', -1, 'precipMm must be >= 0'],
    ['pressureHpa', 700, 'pressureHpa must be >= 800'],
    ['pressureHpa', 1200, 'pressureHpa must be <= 1100'],
    ['source', 7, 'source must be string'],
    ['ts', '2026-11-20T25:00:00Z', 'ts is not a real calendar instant'],
  ])('%s = %j is rejected (%s)', (field, value, reason) => {
    const r = validateEvent({ ...weatherObservation(), [field]: value });
    expect(!r.ok && r.reason).toContain(reason);
  });

  test.each([
    ['tempC', -100],
    ['tempC', 70],
    ['humidity', 0],
    ['humidity', 100],
    ['windKph', 0],
    ['pressureHpa', 800],
  ])('%s = %d (boundary) is valid', (field, value) => {
    expect(validateEvent({ ...weatherObservation(), [field]: value }).ok).toBe(true);
  });
});
