/**
 * The processed-zone Parquet schema and the named queries that run unchanged on Athena (engine v3,
 * Trino) and on DuckDB in the local demo.
 *
 * Portability rules the SQL follows (both engines accept all of it):
 * - tables `stocks` and `weather` unqualified: Athena resolves them in the named query's database
 *   (the crawler names tables after the folders under `processed/`); DuckDB gets views of those
 *   names (`duckdbViewSql`);
 * - identifiers unquoted and snake_case, as the Parquet writer names the columns (the Glue catalog
 *   lower-cases names; DuckDB matches identifiers case-insensitively);
 * - `ts` is a Parquet TIMESTAMP (UTC). DuckDB reads a UTC-adjusted timestamp as TIMESTAMPTZ, so a
 *   DuckDB session must `SET TimeZone = 'UTC'` (DUCKDB_SESSION_SETUP) for days and hours to match Athena;
 * - only `CAST(… AS DATE)`, `date_trunc('hour', …)`, `min_by`/`max_by`, `ROUND`, aggregates and
 *   ORDER BY with explicit tie-breakers (deterministic results);
 * - partition columns (`year`, `month`, `day`) are not used: the crawler and DuckDB may type them
 *   differently (DESIGN §11).
 */

/** One processed-zone column: its name (identical to the canonical event field) and Parquet logical type. */
export interface ProcessedColumn {
  readonly name: string;
  readonly type: 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'INTEGER' | 'TIMESTAMP';
}

/** Lineage columns every processed row carries (after the dataset's own columns). */
const LINEAGE_COLUMNS = [
  { name: 'source', type: 'VARCHAR' },
  { name: 'schema_version', type: 'INTEGER' },
  { name: 'ingest_ts', type: 'TIMESTAMP' },
  { name: 'process_ts', type: 'TIMESTAMP' },
  { name: 'lag_ms', type: 'BIGINT' },
  { name: 'shard_id', type: 'VARCHAR' },
  { name: 'sequence_number', type: 'VARCHAR' },
] as const;

/**
 * Columns of `processed/<dataset>/year=/month=/day=/*.parquet`, in file order: a mirror of the
 * enricher's writer (handlers/lib/parquet.ts STOCK_COLUMNS / WEATHER_COLUMNS; templates-src may
 * not import handlers/, test/templates/analytics.test.ts compares the two). snake_case, as Glue and
 * Athena expect. Hive partitions `year`, `month`, `day` come from the key, not the file.
 */
export const PROCESSED_COLUMNS = {
  stocks: [
    { name: 'symbol', type: 'VARCHAR' },
    { name: 'ts', type: 'TIMESTAMP' },
    { name: 'price', type: 'DOUBLE' },
    { name: 'open', type: 'DOUBLE' },
    { name: 'high', type: 'DOUBLE' },
    { name: 'low', type: 'DOUBLE' },
    { name: 'prev_close', type: 'DOUBLE' },
    { name: 'volume', type: 'BIGINT' },
    { name: 'change', type: 'DOUBLE' },
    { name: 'change_pct', type: 'DOUBLE' },
    { name: 'day_range', type: 'DOUBLE' },
    ...LINEAGE_COLUMNS,
  ],
  weather: [
    { name: 'city', type: 'VARCHAR' },
    { name: 'ts', type: 'TIMESTAMP' },
    { name: 'temp_c', type: 'DOUBLE' },
    { name: 'humidity', type: 'DOUBLE' },
    { name: 'wind_kph', type: 'DOUBLE' },
    { name: 'precip_mm', type: 'DOUBLE' },
    { name: 'pressure_hpa', type: 'DOUBLE' },
    { name: 'dew_point_c', type: 'DOUBLE' },
    ...LINEAGE_COLUMNS,
  ],
} as const satisfies Record<string, readonly ProcessedColumn[]>;

export type ProcessedDataset = keyof typeof PROCESSED_COLUMNS;

/** Hive partition columns of the processed zone and the types DuckDB must be told (DESIGN §11). */
export const PARTITION_COLUMNS = { year: 'INTEGER', month: 'INTEGER', day: 'INTEGER' } as const;

export interface NamedQuery {
  /** Athena named-query name and the demo's label; kebab-case. */
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

export const NAMED_QUERIES: readonly NamedQuery[] = [
  {
    name: 'daily-average-price',
    description: 'Daily average, low, high and tick count per symbol',
    sql: `SELECT symbol,
       CAST(ts AS DATE) AS trade_date,
       ROUND(AVG(price), 4) AS avg_price,
       MIN(low) AS day_low,
       MAX(high) AS day_high,
       COUNT(*) AS ticks
FROM stocks
GROUP BY symbol, CAST(ts AS DATE)
ORDER BY symbol, trade_date`,
  },
  {
    name: 'intraday-trend',
    description: 'Hourly first/last/average price per symbol on the most recent trading day, with the change over the hour',
    sql: `SELECT symbol,
       date_trunc('hour', ts) AS hour_start,
       min_by(price, ts) AS first_price,
       max_by(price, ts) AS last_price,
       ROUND(AVG(price), 4) AS avg_price,
       ROUND((max_by(price, ts) - min_by(price, ts)) / min_by(price, ts) * 100, 2) AS change_pct
FROM stocks
WHERE CAST(ts AS DATE) = (SELECT MAX(CAST(ts AS DATE)) FROM stocks)
GROUP BY symbol, date_trunc('hour', ts)
ORDER BY symbol, hour_start`,
  },
  {
    name: 'top-volume',
    description: 'The ten symbol-days with the highest traded volume (volume is cumulative within a session, so the day maximum)',
    sql: `SELECT symbol,
       CAST(ts AS DATE) AS trade_date,
       MAX(volume) AS day_volume
FROM stocks
GROUP BY symbol, CAST(ts AS DATE)
ORDER BY day_volume DESC, symbol, trade_date
LIMIT 10`,
  },
  {
    name: 'weather-extremes',
    description: 'Daily temperature range, strongest wind and total precipitation per city',
    sql: `SELECT city,
       CAST(ts AS DATE) AS obs_date,
       MIN(temp_c) AS min_temp_c,
       MAX(temp_c) AS max_temp_c,
       MAX(wind_kph) AS max_wind_kph,
       ROUND(SUM(precip_mm), 2) AS total_precip_mm,
       COUNT(*) AS observations
FROM weather
GROUP BY city, CAST(ts AS DATE)
ORDER BY city, obs_date`,
  },
];

/** Statements a DuckDB session runs before the named queries (see the module comment). */
export const DUCKDB_SESSION_SETUP: readonly string[] = ["SET TimeZone = 'UTC'"];

/**
 * `CREATE VIEW <dataset>` over the processed zone's Parquet files under `root` (a local directory
 * or an `s3://bucket` URL), so the named queries run unchanged on DuckDB.
 */
export function duckdbViewSql(dataset: ProcessedDataset, root: string): string {
  const glob = `${root.replace(/\/+$/, '')}/processed/${dataset}/**/*.parquet`.replace(/'/g, "''");
  const hiveTypes = Object.entries(PARTITION_COLUMNS)
    .map(([name, type]) => `'${name}': ${type}`)
    .join(', ');
  return `CREATE OR REPLACE VIEW ${dataset} AS SELECT * FROM read_parquet('${glob}', hive_partitioning = true, hive_types = {${hiveTypes}})`;
}
