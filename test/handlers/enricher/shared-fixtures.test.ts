/**
 * Replays real material from ../shared/fixtures (DESIGN §10) through the enricher and aggregator
 * cores: real Lambda Kinesis samples (whose payloads are not canonical events) and a real daily
 * OHLCV history. Skips with a visible message when the folder is absent (a user's clone).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';
import { planBatch, zoneObjects } from '../../../handlers/enricher/core';
import { applyTicks, EMPTY_STATE } from '../../../handlers/aggregator/core';
import { stocksToParquet } from '../../../handlers/lib/parquet';
import type { EnrichedStock } from '../../../handlers/lib/enrich';
import { FIXED_NOW, kinesisEvent, stockTick } from '../../fixtures/events';
import { parquetReader } from '../../fixtures/parquet';

const SHARED = process.env.SHARED_FIXTURES_DIR ?? resolve(__dirname, '../../../../shared/fixtures');
const available = existsSync(SHARED);
if (!available) console.warn(`enricher shared-fixtures: ${SHARED} does not exist; the replay of the shared real-data fixtures is skipped (CI has that folder)`);
const maybe = available ? describe : describe.skip;

maybe('shared fixtures: real Kinesis event samples', () => {
  test.each(['kinesis-event.aws-lambda-go.json', 'kinesis-stream.powertools-ts.json'])(
    '%s: every non-canonical payload is quarantined as malformed JSON under its own key',
    (name) => {
      const event = JSON.parse(readFileSync(join(SHARED, 'aws-events', name), 'utf8')) as KinesisStreamEvent;
      const plan = planBatch(event.Records, FIXED_NOW);
      expect(plan.records.map((r) => r.kind)).toEqual(event.Records.map(() => 'quarantine'));
      expect(plan.records.map((r) => (r.kind === 'quarantine' ? r.key : ''))).toEqual(
        event.Records.map((r) => {
          const day = new Date(Math.round(r.kinesis.approximateArrivalTimestamp * 1000)).toISOString().slice(0, 10);
          return `quarantine/malformed-json/dt=${day}/${r.eventID.split(':')[0]}-${r.kinesis.sequenceNumber}.json`;
        }),
      );
      expect(zoneObjects(plan, plan.records.length)).toEqual({ raw: [], processed: [] });
    },
  );
});

maybe('shared fixtures: GOOG daily history through the enricher and aggregator cores', () => {
  const lines = available
    ? readFileSync(join(SHARED, 'stock-history', 'backtesting-py-GOOG.csv'), 'utf8')
        .trim()
        .split(/\r?\n/)
        .slice(1)
    : [];
  const days = lines
    .map((l) => l.split(','))
    .map(([date, open, high, low, close, volume]) => ({
      date: date!,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    }));
  // DESIGN §8 replay: price = close, prevClose = the previous row's close; the first row has none.
  const ticks = days.slice(1).map((d, i) =>
    stockTick({
      symbol: 'GOOG',
      ts: `${d.date}T20:00:00.000Z`,
      price: d.close,
      open: d.open,
      high: d.high,
      low: d.low,
      prevClose: days[i]!.close,
      volume: d.volume,
      source: 'replay',
    }),
  );

  test('every row is valid, enriched, and lands in Parquet exactly once with the right change %', async () => {
    const plan = planBatch(kinesisEvent(ticks).Records, FIXED_NOW);
    expect(plan.records.filter((r) => r.kind !== 'valid')).toEqual([]);
    const { processed } = zoneObjects(plan, plan.records.length);
    expect(processed).toHaveLength(new Set(ticks.map((t) => t.ts.slice(0, 10))).size);
    const reader = await parquetReader();
    try {
      const files = processed.map((o) => stocksToParquet(o.rows as EnrichedStock[]));
      const rows = await reader.rows(files, "strftime(ts, '%Y-%m-%d') AS day, price, round(change_pct, 9) AS change_pct", 'day');
      expect(rows).toEqual(
        ticks.map((t) => ({ day: t.ts.slice(0, 10), price: t.price, change_pct: Number((((t.price - t.prevClose) / t.prevClose) * 100).toFixed(9)) })),
      );
    } finally {
      await reader.close();
    }
  });

  test('SMA-20 of the last tick is the mean of the last 20 closes', () => {
    const { steps } = applyTicks(
      EMPTY_STATE,
      ticks.map((t, i) => ({ pk: 'STOCK#GOOG', type: 'stock', ts: t.ts, value: t.price, sequenceNumber: String(i) })),
    );
    const last20 = ticks.slice(-20).map((t) => t.price);
    expect(steps.at(-1)!.state.sma20).toBeCloseTo(last20.reduce((a, b) => a + b, 0) / 20, 9);
    expect(steps).toHaveLength(ticks.length);
  });
});
