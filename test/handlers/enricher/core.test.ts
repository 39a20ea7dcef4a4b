import { committedPrefixLength, latestAttributes, metricsItem, planBatch, zoneObjects } from '../../../handlers/enricher/core';
import { FIXED_NOW, SHARD_ID, kinesisEvent, kinesisRecord, sequenceNumber, stockTick, weatherObservation } from '../../fixtures/events';

describe('planBatch', () => {
  test('valid and invalid records, in arrival order', () => {
    const event = kinesisEvent([
      stockTick({ ts: '2026-11-20T14:31:00Z' }),
      stockTick({ ts: '2026-11-20T14:30:00Z' }),
      '{bad',
      weatherObservation(),
      stockTick({ ts: '2026-11-20T14:31:00Z' }), // same ts again: a producer resend, decided at write time
    ]);
    const plan = planBatch(event.Records, FIXED_NOW);
    expect(plan.shardId).toBe(SHARD_ID);
    expect(plan.firstSequence).toBe(sequenceNumber(1));
    expect(plan.records.map((r) => (r.kind === 'valid' ? [r.kind, r.enriched.ts] : [r.kind, r.code]))).toEqual([
      ['valid', '2026-11-20T14:31:00.000Z'],
      ['valid', '2026-11-20T14:30:00.000Z'],
      ['quarantine', 'malformed-json'],
      ['valid', '2026-11-20T14:30:00.000Z'],
      ['valid', '2026-11-20T14:31:00.000Z'],
    ]);
  });

  test('an empty batch plans nothing', () => {
    expect(planBatch([], FIXED_NOW).records).toEqual([]);
  });
});

describe('committedPrefixLength', () => {
  const plan = planBatch(kinesisEvent([stockTick(), stockTick(), stockTick(), stockTick()]).Records, FIXED_NOW);
  test.each<[string, string[], number]>([
    ['no failures', [], 4],
    ['the first record failed', [sequenceNumber(1)], 0],
    ['record 3 failed', [sequenceNumber(3)], 2],
    ['records 2 and 4 failed', [sequenceNumber(4), sequenceNumber(2)], 1],
  ])('%s → %d', (_name, failed, expected) => {
    expect(committedPrefixLength(plan, new Set(failed))).toBe(expected);
  });
});

describe('zoneObjects', () => {
  const event = kinesisEvent([
    stockTick({ ts: '2026-11-19T23:59:59.999Z' }),
    weatherObservation({ ts: '2026-11-20T00:00:00Z' }),
    '{bad',
    stockTick({ ts: '2026-11-20T00:00:00Z', symbol: 'MSFT' }),
    stockTick({ ts: '2026-11-20T00:00:01Z' }),
  ]);
  const plan = planBatch(event.Records, FIXED_NOW);

  test("one object per dataset and day, keyed by the batch's shard and first sequence", () => {
    const { raw, processed } = zoneObjects(plan, plan.records.length);
    const suffix = `${SHARD_ID}-${sequenceNumber(1)}`;
    expect(raw.map((o) => [o.key, o.lines.length])).toEqual([
      [`raw/stocks/dt=2026-11-19/${suffix}.json.gz`, 1],
      [`raw/stocks/dt=2026-11-20/${suffix}.json.gz`, 2],
      [`raw/weather/dt=2026-11-20/${suffix}.json.gz`, 1],
    ]);
    expect(processed.map((o) => [o.key, o.rows.map((r) => r.sequenceNumber)])).toEqual([
      [`processed/stocks/year=2026/month=11/day=19/${suffix}.parquet`, [sequenceNumber(1)]],
      [`processed/stocks/year=2026/month=11/day=20/${suffix}.parquet`, [sequenceNumber(4), sequenceNumber(5)]],
      [`processed/weather/year=2026/month=11/day=20/${suffix}.parquet`, [sequenceNumber(2)]],
    ]);
  });

  test('only the committed prefix is written', () => {
    const { processed } = zoneObjects(plan, 3);
    expect(processed.flatMap((o) => o.rows.map((r) => r.sequenceNumber))).toEqual([sequenceNumber(1), sequenceNumber(2)]);
    expect(zoneObjects(plan, 0)).toEqual({ raw: [], processed: [] });
  });
});

describe('item shapes', () => {
  const plan = planBatch([kinesisRecord(stockTick(), { seq: 7 }), kinesisRecord(weatherObservation(), { seq: 8 })], FIXED_NOW);
  const [stock, weather] = plan.records.map((r) => (r.kind === 'valid' ? r.enriched : undefined));

  test('MetricsTable item: the enriched event without `dataset`, plus TTL', () => {
    const item = metricsItem(stock!, 7);
    expect(Object.keys(item).sort()).toEqual(
      [
        'change',
        'changePct',
        'dayRange',
        'expiresAt',
        'high',
        'ingestTs',
        'lagMs',
        'low',
        'open',
        'pk',
        'prevClose',
        'price',
        'processTs',
        'schemaVersion',
        'sequenceNumber',
        'shardId',
        'source',
        'symbol',
        'ts',
        'type',
        'volume',
      ].sort(),
    );
    expect(item.expiresAt).toBe(Date.parse('2026-11-20T14:30:00Z') / 1000 + 7 * 86400);
  });

  test('LatestTable attributes owned by the enricher', () => {
    expect(Object.keys(latestAttributes(stock!)).sort()).toEqual([
      'change',
      'changePct',
      'high',
      'ingestTs',
      'low',
      'open',
      'prevClose',
      'price',
      'processTs',
      'schemaVersion',
      'sequenceNumber',
      'source',
      'symbol',
      'type',
      'volume',
    ]);
    expect(Object.keys(latestAttributes(weather!)).sort()).toEqual([
      'city',
      'humidity',
      'ingestTs',
      'precipMm',
      'pressureHpa',
      'processTs',
      'schemaVersion',
      'sequenceNumber',
      'source',
      'tempC',
      'type',
      'windKph',
    ]);
  });
});
