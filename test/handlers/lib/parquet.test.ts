/** Parquet written by parquet-wasm, read back by DuckDB: exact rows, zstd, dictionary-encoded strings. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { planBatch } from '../../../handlers/enricher/core';
import type { EnrichedStock, EnrichedWeather } from '../../../handlers/lib/enrich';
import { stocksToParquet, weatherToParquet } from '../../../handlers/lib/parquet';
import { FIXED_NOW, kinesisEvent, sequenceNumber, stockTick, weatherObservation } from '../../fixtures/events';

let dir: string;
let db: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parquet-test-'));
  db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
});
afterAll(async () => {
  conn.closeSync();
  db.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function query(bytes: Uint8Array, sql: (file: string) => string): Promise<Record<string, unknown>[]> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.parquet`);
  await writeFile(file, bytes);
  return (await conn.runAndReadAll(sql(`'${file}'`))).getRowObjectsJson() as Record<string, unknown>[];
}

const enriched = <T>(payloads: unknown[]): T[] =>
  planBatch(kinesisEvent(payloads).Records, FIXED_NOW)
    .records.map((r) => (r.kind === 'valid' ? (r.enriched as T) : undefined))
    .filter((r): r is T => r !== undefined);

describe('stocksToParquet', () => {
  const rows = enriched<EnrichedStock>([
    stockTick({ symbol: 'AAPL', price: 190.5 }),
    stockTick({ symbol: 'MSFT', ts: '2026-11-20T14:30:00.5Z', price: 410.25, volume: 3 }),
    stockTick({ symbol: 'AAPL', price: 191, ts: '2026-11-20T14:31:00Z' }),
    stockTick({ symbol: 'AAPL', price: 192, ts: '2026-11-20T14:36:00Z' }),
  ]); // the last is 2 min ahead of its arrival: within the allowed skew
  const bytes = stocksToParquet(rows);

  test('every column reads back exactly', async () => {
    expect(
      await query(
        bytes,
        (f) =>
          `SELECT symbol, epoch_ms(ts)::BIGINT AS ts, price, open, high, low, prev_close, volume::INTEGER AS volume, change, change_pct, day_range, source, schema_version, epoch_ms(ingest_ts)::BIGINT AS ingest_ts, epoch_ms(process_ts)::BIGINT AS process_ts, lag_ms::INTEGER AS lag_ms, shard_id, sequence_number FROM read_parquet(${f})`,
      ),
    ).toEqual(
      rows.map((r) => ({
        symbol: r.symbol,
        ts: String(r.tsMs),
        price: r.price,
        open: r.open,
        high: r.high,
        low: r.low,
        prev_close: r.prevClose,
        volume: r.volume,
        change: r.change,
        change_pct: r.changePct,
        day_range: r.dayRange,
        source: r.source,
        schema_version: 1,
        ingest_ts: String(r.ingestMs),
        process_ts: String(FIXED_NOW.getTime()),
        lag_ms: r.lagMs,
        shard_id: r.shardId,
        sequence_number: r.sequenceNumber,
      })),
    );
    expect(rows.map((r) => r.sequenceNumber)).toEqual([1, 2, 3, 4].map(sequenceNumber));
    expect(rows[3]!.lagMs).toBeLessThan(0); // producer clock ahead: negative int64 survives the trip
  });

  test('zstd everywhere; Parquet dictionary pages only on the low-cardinality string columns', async () => {
    const meta = await query(bytes, (f) => `SELECT path_in_schema AS col, compression, encodings FROM parquet_metadata(${f}) ORDER BY column_id`);
    expect(new Set(meta.map((m) => m.compression))).toEqual(new Set(['ZSTD']));
    const dictionary = meta.filter((m) => String(m.encodings).includes('DICTIONARY')).map((m) => m.col);
    expect(dictionary).toEqual(['symbol', 'source', 'shard_id']);
  });

  test('row-group statistics are written (min/max of ts for partition pruning)', async () => {
    const stats = await query(bytes, (f) => `SELECT stats_min, stats_max FROM parquet_metadata(${f}) WHERE path_in_schema = 'price'`);
    expect(stats).toEqual([{ stats_min: '190.5', stats_max: '410.25' }]);
    const ts = await query(bytes, (f) => `SELECT stats_min, stats_max FROM parquet_metadata(${f}) WHERE path_in_schema = 'ts'`);
    expect(ts).toHaveLength(1);
  });

  test('timestamps are UTC-adjusted millisecond TIMESTAMPs (Athena/Glue read them as timestamp)', async () => {
    const schema = await query(bytes, (f) => `SELECT name, logical_type FROM parquet_schema(${f}) WHERE name IN ('ts', 'ingest_ts', 'process_ts')`);
    for (const s of schema) expect(String(s.logical_type)).toContain('isAdjustedToUTC=1');
  });
});

describe('weatherToParquet', () => {
  test('every row and the derived dew point read back', async () => {
    const rows = enriched<EnrichedWeather>([weatherObservation(), weatherObservation({ city: 'Oslo', tempC: -3.5, humidity: 90 })]);
    expect(
      await query(weatherToParquet(rows), (f) => `SELECT city, temp_c, humidity, wind_kph, precip_mm, pressure_hpa, dew_point_c FROM read_parquet(${f})`),
    ).toEqual(
      rows.map((r) => ({
        city: r.city,
        temp_c: r.tempC,
        humidity: r.humidity,
        wind_kph: r.windKph,
        precip_mm: r.precipMm,
        pressure_hpa: r.pressureHpa,
        dew_point_c: r.dewPointC,
      })),
    );
  });
});
