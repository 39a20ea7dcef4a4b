import { decodeRecord } from '../../../handlers/lib/decode';
import { enrich, isoMs } from '../../../handlers/lib/enrich';
import { processedKey, quarantineKey, rawKey, shardIdOf } from '../../../handlers/lib/keys';
import { FIXED_NOW, kinesisRecord, kinesisRecordRaw, stockTick, weatherObservation } from '../../fixtures/events';

describe('decodeRecord', () => {
  test.each<[string, ReturnType<typeof kinesisRecord>, string, string]>([
    ['bad base64 characters', kinesisRecordRaw('!!!!', { seq: 1 }), 'bad-base64', 'data is not valid base64 (4 characters)'],
    ['base64 of the wrong length', kinesisRecordRaw('eyJ', { seq: 1 }), 'bad-base64', 'data is not valid base64 (3 characters)'],
    ['a character outside the alphabet', kinesisRecordRaw('eyJ!', { seq: 1 }), 'bad-base64', 'data is not valid base64 (4 characters)'],
    ['a space inside', kinesisRecordRaw('ey J', { seq: 1 }), 'bad-base64', 'data is not valid base64 (4 characters)'],
    ['padding in the middle', kinesisRecordRaw('eQ=A', { seq: 1 }), 'bad-base64', 'data is not valid base64 (4 characters)'],
    ['truncated JSON', kinesisRecord('{"type":"stock",', { seq: 1 }), 'malformed-json', 'data is not JSON'],
    ['plain text', kinesisRecord('Hello World', { seq: 1 }), 'malformed-json', 'data is not JSON'],
    ['a JSON string', kinesisRecord('"AAPL"', { seq: 1 }), 'schema-invalid', 'event must be a JSON object'],
    ['a schema violation', kinesisRecord(stockTick({ price: 0 }), { seq: 1 }), 'schema-invalid', 'price must be > 0'],
    ['an oversized record', kinesisRecord({ ...stockTick(), pad: 'x'.repeat(70_000) }, { seq: 1 }), 'oversized', 'more than the 65536-byte limit'],
  ])('%s → %s', (_name, record, code, reason) => {
    const r = decodeRecord(record);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe(code);
    expect(!r.ok && r.reason).toContain(reason);
  });

  test('a valid record decodes to the event and its exact text', () => {
    const text = JSON.stringify(stockTick());
    expect(decodeRecord(kinesisRecord(text, { seq: 1 }))).toEqual({ ok: true, event: stockTick(), text });
  });

  test('the size limit is configurable and checked before decoding', () => {
    const record = kinesisRecord(stockTick(), { seq: 1 });
    expect(decodeRecord(record, { maxRecordBytes: 100 })).toMatchObject({ ok: false, code: 'oversized' });
  });

  describe('clock skew (RELIABILITY 7): ts against the Kinesis arrival', () => {
    const arrival = Date.parse('2026-11-20T14:30:02.250Z') / 1000;
    test.each([
      ['exactly the allowed skew ahead is accepted', '2026-11-20T14:35:02.250Z', true],
      ['1 ms more is quarantined', '2026-11-20T14:35:02.251Z', false],
      ['a tick dated 2999 is quarantined', '2999-01-01T00:00:00.000Z', false],
      ['an old tick is accepted (late, not future)', '2020-01-01T00:00:00Z', true],
      ['a non-canonical ISO form is compared by its instant', '2026-11-20T14:35:03Z', false],
    ])('%s', (_name, ts, ok) => {
      const r = decodeRecord(kinesisRecord(stockTick({ ts }), { seq: 1, arrival }), { maxSkewMs: 300_000 });
      expect(r.ok).toBe(ok);
      if (!r.ok) {
        expect(r.code).toBe('future-timestamp');
        expect(r.reason).toMatch(
          new RegExp(
            `^ts ${ts.replace(/[.]/g, '\\.')} is \\d+ s after the record's Kinesis arrival 2026-11-20T14:30:02.250Z; a producer clock may be at most 300 s ahead$`,
          ),
        );
      }
    });

    test('without maxSkewMs there is no check (the caller decides)', () => {
      expect(decodeRecord(kinesisRecord(stockTick({ ts: '2999-01-01T00:00:00.000Z' }), { seq: 1, arrival })).ok).toBe(true);
    });
  });
});

describe('enrich (fixed clock)', () => {
  const origin = { shardId: 'shardId-000000000001', sequenceNumber: '42', approximateArrivalTimestamp: Date.parse('2026-11-20T14:30:02.250Z') / 1000 };

  test.each<[string, Parameters<typeof stockTick>[0], { change: number; changePct: number; dayRange: number }]>([
    ['a rise', { price: 110, prevClose: 100, high: 111, low: 99 }, { change: 10, changePct: 10, dayRange: 12 }],
    ['a drop', { price: 95, prevClose: 100, high: 101, low: 94 }, { change: -5, changePct: -5, dayRange: 7 }],
    ['unchanged', { price: 100, prevClose: 100, high: 100, low: 100 }, { change: 0, changePct: 0, dayRange: 0 }],
  ])('stock: %s', (_name, overrides, derived) => {
    expect(enrich(stockTick(overrides), origin, FIXED_NOW)).toMatchObject(derived);
  });

  test('lineage: pk, dataset, ingest/process time, lag, schema version, source', () => {
    expect(enrich(stockTick({ ts: '2026-11-20T14:30:00Z' }), origin, FIXED_NOW)).toEqual({
      ...stockTick(),
      ts: '2026-11-20T14:30:00.000Z',
      pk: 'STOCK#AAPL',
      dataset: 'stocks',
      tsMs: Date.parse('2026-11-20T14:30:00Z'),
      ingestMs: Date.parse('2026-11-20T14:30:02.250Z'),
      ingestTs: '2026-11-20T14:30:02.250Z',
      processMs: Date.parse('2026-11-20T14:35:00.000Z'),
      processTs: '2026-11-20T14:35:00.000Z',
      lagMs: 2250,
      shardId: 'shardId-000000000001',
      sequenceNumber: '42',
      change: 1.5,
      changePct: (1.5 / 189) * 100,
      dayRange: 3.75,
    });
  });

  test.each([
    [20, 100, 20],
    [20, 50, 9.26],
    [8.4, 81, 5.33],
    [30, 0, -31.96], // humidity clamped to 1 %
  ])('weather: dew point of %d °C at %d %% is %d °C', (tempC, humidity, dewPointC) => {
    const e = enrich(weatherObservation({ tempC, humidity }), origin, FIXED_NOW);
    expect(e).toMatchObject({ pk: 'WEATHER#Amsterdam', dataset: 'weather', dewPointC });
  });
});

describe('isoMs', () => {
  test.each([0, 1, 9, 10, 99, 100, 999, 1000, 1795703400000, 1795703400007, 1795703400070, 1795703400700, 1795703399999, -1, 951782400000])(
    '%d formats like toISOString',
    (ms) => {
      expect(isoMs(ms)).toBe(new Date(ms).toISOString());
    },
  );
});

describe('S3 keys', () => {
  test('raw, processed and quarantine keys follow DESIGN §4', () => {
    expect(shardIdOf('shardId-000000000003:4959')).toBe('shardId-000000000003');
    expect(rawKey('stocks', '2026-01-05T00:00:00.000Z', 'shardId-000000000003', '4959')).toBe('raw/stocks/dt=2026-01-05/shardId-000000000003-4959.json.gz');
    expect(processedKey('weather', '2026-01-05', 'shardId-000000000003', '4959')).toBe(
      'processed/weather/year=2026/month=01/day=05/shardId-000000000003-4959.parquet',
    );
    expect(quarantineKey('malformed-json', '2026-01-05T23:59:59.999Z', 'shardId-000000000003', '4960')).toBe(
      'quarantine/malformed-json/dt=2026-01-05/shardId-000000000003-4960.json',
    );
  });
});
