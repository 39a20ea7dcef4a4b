/**
 * Parquet for the processed zone: an apache-arrow table built column by column (strings as
 * dictionaries, ~4.7x faster than plain utf8 and what Athena reads best) written by parquet-wasm
 * with zstd. The wasm module is loaded once per process (parquet-wasm/node reads
 * `parquet_wasm_bg.wasm` next to its JS; the bundler copies it next to each bundle).
 */
import {
  Dictionary,
  Float64,
  Int32,
  Int64,
  TimestampMillisecond,
  Utf8,
  makeData,
  makeVector,
  Table,
  Vector,
  tableToIPC,
  type DataType,
} from 'apache-arrow';
import { Compression, EnabledStatistics, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import type { EnrichedEvent, EnrichedStock, EnrichedWeather } from './enrich';

/** `tsms`: epoch milliseconds → TIMESTAMP(MILLIS, UTC). */
type ColumnKind = 'dict' | 'utf8' | 'f64' | 'i64' | 'i32' | 'tsms';

/** One Parquet column: name, Arrow type, and how to read it from a row. */
interface ColumnSpec<R> {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly get: (row: R) => string | number;
}

const LINEAGE_COLUMNS: readonly ColumnSpec<EnrichedEvent>[] = [
  { name: 'source', kind: 'dict', get: (r) => r.source },
  { name: 'schema_version', kind: 'i32', get: (r) => r.schemaVersion },
  { name: 'ingest_ts', kind: 'tsms', get: (r) => r.ingestMs },
  { name: 'process_ts', kind: 'tsms', get: (r) => r.processMs },
  { name: 'lag_ms', kind: 'i64', get: (r) => r.lagMs },
  { name: 'shard_id', kind: 'dict', get: (r) => r.shardId },
  { name: 'sequence_number', kind: 'utf8', get: (r) => r.sequenceNumber },
];

/** Column order and names of `processed/stocks/…` (snake_case for Glue/Athena). */
export const STOCK_COLUMNS: readonly ColumnSpec<EnrichedStock>[] = [
  { name: 'symbol', kind: 'dict', get: (r) => r.symbol },
  { name: 'ts', kind: 'tsms', get: (r) => r.tsMs },
  { name: 'price', kind: 'f64', get: (r) => r.price },
  { name: 'open', kind: 'f64', get: (r) => r.open },
  { name: 'high', kind: 'f64', get: (r) => r.high },
  { name: 'low', kind: 'f64', get: (r) => r.low },
  { name: 'prev_close', kind: 'f64', get: (r) => r.prevClose },
  { name: 'volume', kind: 'i64', get: (r) => r.volume },
  { name: 'change', kind: 'f64', get: (r) => r.change },
  { name: 'change_pct', kind: 'f64', get: (r) => r.changePct },
  { name: 'day_range', kind: 'f64', get: (r) => r.dayRange },
  ...(LINEAGE_COLUMNS as readonly ColumnSpec<EnrichedStock>[]),
];

/** Column order and names of `processed/weather/…`. */
export const WEATHER_COLUMNS: readonly ColumnSpec<EnrichedWeather>[] = [
  { name: 'city', kind: 'dict', get: (r) => r.city },
  { name: 'ts', kind: 'tsms', get: (r) => r.tsMs },
  { name: 'temp_c', kind: 'f64', get: (r) => r.tempC },
  { name: 'humidity', kind: 'f64', get: (r) => r.humidity },
  { name: 'wind_kph', kind: 'f64', get: (r) => r.windKph },
  { name: 'precip_mm', kind: 'f64', get: (r) => r.precipMm },
  { name: 'pressure_hpa', kind: 'f64', get: (r) => r.pressureHpa },
  { name: 'dew_point_c', kind: 'f64', get: (r) => r.dewPointC },
  ...(LINEAGE_COLUMNS as readonly ColumnSpec<EnrichedWeather>[]),
];

/**
 * A utf8 vector built straight into one buffer (offsets + bytes): ~3x faster than
 * `vectorFromArray(values, new Utf8())`, which goes through Arrow's generic builder.
 */
function utf8Vector(values: readonly string[]): Vector {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) total += Buffer.byteLength(values[i]!, 'utf8');
  const bytes = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = at;
    at += bytes.write(values[i]!, at, 'utf8');
  }
  offsets[n] = at;
  return makeVector(makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: new Uint8Array(bytes.buffer, bytes.byteOffset, at) }));
}

function dictionaryVector(values: readonly string[]): Vector {
  const ids = new Map<string, number>();
  const dictionary: string[] = [];
  const indices = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let id = ids.get(v);
    if (id === undefined) {
      id = dictionary.length;
      ids.set(v, id);
      dictionary.push(v);
    }
    indices[i] = id;
  }
  const type = new Dictionary(new Utf8(), new Int32());
  const dictVector = utf8Vector(dictionary);
  return makeVector(makeData({ type, length: values.length, nullCount: 0, data: indices, dictionary: dictVector }));
}

/**
 * Safe integers → little-endian int64 words without a BigInt per value (BigInt(x) allocates:
 * five int64 columns of 100,000 rows cost more than the Parquet write itself).
 */
function int64Column<R>(rows: readonly R[], spec: ColumnSpec<R>): BigInt64Array {
  const n = rows.length;
  const words = new Uint32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const v = spec.get(rows[i]!) as number;
    const hi = Math.floor(v / 4294967296);
    words[2 * i] = v - hi * 4294967296;
    words[2 * i + 1] = hi >>> 0; // two's complement high word for negatives (lag can be < 0)
  }
  return new BigInt64Array(words.buffer);
}

function column<R>(spec: ColumnSpec<R>, rows: readonly R[]): Vector {
  const n = rows.length;
  switch (spec.kind) {
    case 'dict':
      return dictionaryVector(rows.map((r) => spec.get(r) as string));
    case 'utf8':
      return utf8Vector(rows.map((r) => spec.get(r) as string));
    case 'f64': {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = spec.get(rows[i]!) as number;
      return makeVector(a);
    }
    case 'i32': {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) a[i] = spec.get(rows[i]!) as number;
      return makeVector(a);
    }
    case 'i64':
      return makeVector(makeData({ type: new Int64(), length: n, nullCount: 0, data: int64Column(rows, spec) }));
    case 'tsms':
      return makeVector(makeData({ type: new TimestampMillisecond('UTC') as DataType, length: n, nullCount: 0, data: int64Column(rows, spec) } as never));
  }
}

/** Builds the Arrow table of a batch of enriched rows of one dataset. */
export function arrowTable<R>(columns: readonly ColumnSpec<R>[], rows: readonly R[]): Table {
  const vectors: Record<string, Vector> = {};
  for (const spec of columns) vectors[spec.name] = column(spec, rows);
  return new Table(vectors);
}

/** Options of {@link toParquet}. */
export interface ParquetOptions {
  /** Row group size. @default 100_000 (a Lambda batch is at most 10,000 records: one group) */
  readonly maxRowGroupSize?: number;
  /** zstd is what Athena reads fastest per byte scanned. @default Compression.ZSTD */
  readonly compression?: Compression;
}

/**
 * Serialises an Arrow table to Parquet bytes. Parquet dictionary encoding is on only for the
 * low-cardinality string columns (Arrow dictionaries: symbol, city, source, shard): on prices,
 * timestamps and unique sequence numbers it only costs time (~40 % of the write) and bytes.
 * Statistics are per column chunk (row-group min/max: what Athena and DuckDB prune with), not
 * per page.
 */
export function tableToParquet(table: Table, options: ParquetOptions = {}, dictionaryColumns: readonly string[] = dictionaryColumnsOf(table)): Uint8Array {
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(table, 'stream'));
  let builder = new WriterPropertiesBuilder()
    .setCompression(options.compression ?? Compression.ZSTD)
    .setMaxRowGroupSize(options.maxRowGroupSize ?? 100_000)
    .setDictionaryEnabled(false)
    .setStatisticsEnabled(EnabledStatistics.Chunk)
    .setCreatedBy('stock-weather-enricher');
  for (const name of dictionaryColumns) builder = builder.setColumnDictionaryEnabled(name, true);
  const props = builder.build();
  return writeParquet(wasmTable, props); // consumes (frees) both wasm objects
}

function dictionaryColumnsOf(table: Table): string[] {
  return table.schema.fields.filter((f) => f.type instanceof Dictionary).map((f) => f.name);
}

/** Enriched stock ticks → Parquet bytes. */
export function stocksToParquet(rows: readonly EnrichedStock[], options?: ParquetOptions): Uint8Array {
  return tableToParquet(arrowTable(STOCK_COLUMNS, rows), options);
}

/** Enriched weather observations → Parquet bytes. */
export function weatherToParquet(rows: readonly EnrichedWeather[], options?: ParquetOptions): Uint8Array {
  return tableToParquet(arrowTable(WEATHER_COLUMNS, rows), options);
}
