import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  analytics,
  BYTES_SCANNED_CUTOFF,
  DUCKDB_SESSION_SETUP,
  duckdbViewSql,
  NAMED_QUERIES,
  namedQueryId,
  PROCESSED_COLUMNS,
} from '../../templates-src/analytics';
import { canonicalize } from '../../templates-src/lib/yaml';
import type { CanonicalEvent, StockTick, WeatherObservation } from '../../handlers/lib/contracts';
import { enrich, type EnrichedEvent, type EnrichedStock, type EnrichedWeather } from '../../handlers/lib/enrich';
import { STOCK_COLUMNS, WEATHER_COLUMNS, stocksToParquet, weatherToParquet } from '../../handlers/lib/parquet';

type Json = Record<string, any>;
const doc = canonicalize(analytics.build()) as Json;
const resources = doc.Resources as Record<string, Json>;
const statements = (id: string): Json[] => resources[id]!.Properties.Policies[0].PolicyDocument.Statement;

describe('analytics.yaml', () => {
  test('the Glue database name is NamePrefix with underscores (Athena rejects hyphens)', () => {
    expect(resources.GlueDatabase!.Properties.DatabaseInput.Name).toEqual({
      'Fn::Join': ['', [{ 'Fn::Join': ['_', { 'Fn::Split': ['-', { Ref: 'NamePrefix' }] }] }, '_analytics']],
    });
  });

  test('the crawler catalogs both processed folders, on CrawlerSchedule unless it is empty, with encrypted logs', () => {
    const p = resources.ProcessedCrawler!.Properties;
    expect(p.Targets.S3Targets).toEqual([
      { Path: { 'Fn::Sub': 's3://${ProcessedBucketName}/processed/stocks/' } },
      { Path: { 'Fn::Sub': 's3://${ProcessedBucketName}/processed/weather/' } },
    ]);
    expect(p.Schedule).toEqual({ 'Fn::If': ['HasCrawlerSchedule', { ScheduleExpression: { Ref: 'CrawlerSchedule' } }, { Ref: 'AWS::NoValue' }] });
    expect(doc.Conditions.HasCrawlerSchedule).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CrawlerSchedule' }, ''] }] });
    expect(doc.Parameters.CrawlerSchedule.Default).toBe('cron(15 * * * ? *)');
    expect(analytics.inputs.CrawlerSchedule).toEqual({ parameter: 'CrawlerSchedule' });
    expect(p.DatabaseName).toEqual({ Ref: 'GlueDatabase' });
    expect(JSON.parse(p.Configuration).Grouping).toEqual({ TableLevelConfiguration: 3 });
    expect(p.RecrawlPolicy).toEqual({ RecrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' });
    expect(p.SchemaChangePolicy).toEqual({ UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' });
    expect(p.CrawlerSecurityConfiguration).toEqual({ Ref: 'CrawlerSecurityConfiguration' });
    expect(resources.CrawlerSecurityConfiguration!.Properties.EncryptionConfiguration.CloudWatchEncryption).toEqual({
      CloudWatchEncryptionMode: 'SSE-KMS',
      KmsKeyArn: { Ref: 'LogsKeyArn' },
    });
  });

  test.each([
    ['s3:GetObject', [{ 'Fn::Sub': '${ProcessedBucketArn}/processed/stocks/*' }, { 'Fn::Sub': '${ProcessedBucketArn}/processed/weather/*' }]],
    ['s3:ListBucket', { Ref: 'ProcessedBucketArn' }],
    ['kms:Decrypt', { Ref: 'DataLakeKeyArn' }],
    ['glue:CreateTable', expect.arrayContaining([{ 'Fn::Sub': 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/${GlueDatabase}/*' }])],
    ['logs:AssociateKmsKey', { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws-glue/crawlers*' }],
  ])('the crawler role allows %s only on %j', (action, resource) => {
    const s = statements('CrawlerRole').filter((x) => x.Action.includes(action));
    expect(s).toHaveLength(1);
    expect(s[0]!.Resource).toEqual(resource);
  });

  test.each(['stocks', 'weather'] as const)(
    'the %s table is declared (QuickSight data sets over it must not wait for the first crawl) with the writer’s schema',
    (dataset) => {
      const id = `${dataset.charAt(0).toUpperCase()}${dataset.slice(1)}Table`;
      const input = resources[id]!.Properties.TableInput;
      expect(resources[id]!.Properties.DatabaseName).toEqual({ Ref: 'GlueDatabase' });
      expect(input.Name).toBe(dataset);
      expect(input.StorageDescriptor.Location).toEqual({ 'Fn::Sub': `s3://\${ProcessedBucketName}/processed/${dataset}/` });
      expect(input.StorageDescriptor.Columns.map((c: Json) => c.Name)).toEqual(PROCESSED_COLUMNS[dataset].map((c) => c.name));
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
      expect(input.PartitionKeys.map((k: Json) => k.Name)).toEqual(['year', 'month', 'day']);
      // Partition projection: new days are queryable without the crawler; two-digit month and day as the writer names them.
      expect(input.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.month.digits': '2', 'projection.day.digits': '2' });
      expect(input.Parameters['storage.location.template']).toEqual({
        'Fn::Sub': `s3://\${ProcessedBucketName}/processed/${dataset}/year=\${!year}/month=\${!month}/day=\${!day}`,
      });
      expect(resources.ProcessedCrawler!.DependsOn).toEqual(['StocksTable', 'WeatherTable']);
    },
  );

  test('the security configuration encrypts every mode it offers (CloudWatch, S3, job bookmarks)', () => {
    const config = resources.CrawlerSecurityConfiguration!.Properties.EncryptionConfiguration;
    expect(Object.keys(config).sort()).toEqual(['CloudWatchEncryption', 'JobBookmarksEncryption', 'S3Encryptions']);
    expect(config.JobBookmarksEncryption).toEqual({ JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: { Ref: 'DataLakeKeyArn' } });
  });

  test('the crawler role is named with the region: IAM names are global to the account', () => {
    expect(resources.CrawlerRole!.Properties.RoleName).toEqual({ 'Fn::Sub': '${NamePrefix}-crawler-${AWS::Region}' });
  });

  test('the crawler role has no wildcard actions and reads KMS only via S3', () => {
    const all = statements('CrawlerRole');
    for (const s of all) for (const a of s.Action) expect(a).not.toContain('*');
    expect(all.find((s) => s.Action.includes('kms:Decrypt'))!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Sub': 's3.${AWS::Region}.amazonaws.com' } },
    });
    expect(all.find((s) => s.Action.includes('glue:CreateTable'))!.Resource).not.toContainEqual('*');
  });

  test('the results bucket is KMS-encrypted, private, logged and expires results', () => {
    const p = resources.AthenaResultsBucket!.Properties;
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: { Ref: 'DataLakeKeyArn' },
    });
    expect(p.PublicAccessBlockConfiguration.RestrictPublicBuckets).toBe(true);
    expect(p.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: 'AccessLogsBucketName' });
    expect(p.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ Status: 'Enabled', ExpirationInDays: { 'Fn::If': ['IsProd', 30, 7] }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }),
    ]);
    expect(p.LifecycleConfiguration.Rules[0].Transitions).toBeUndefined();
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(resources.AthenaResultsBucketPolicy!.Properties.PolicyDocument.Statement[0].Sid).toBe('DenyInsecureTransport');
  });

  test('the workgroup enforces encrypted results, a scan cutoff and metrics', () => {
    const c = resources.AthenaWorkGroup!.Properties.WorkGroupConfiguration;
    expect(c.EnforceWorkGroupConfiguration).toBe(true);
    expect(c.PublishCloudWatchMetricsEnabled).toBe(true);
    expect(c.BytesScannedCutoffPerQuery).toBe(BYTES_SCANNED_CUTOFF);
    expect(c.ResultConfiguration.EncryptionConfiguration).toEqual({ EncryptionOption: 'SSE_KMS', KmsKey: { Ref: 'DataLakeKeyArn' } });
    expect(c.ResultConfiguration.OutputLocation).toEqual({ 'Fn::Sub': 's3://${AthenaResultsBucket}/results/' });
  });

  test.each(NAMED_QUERIES.map((q) => [q.name, q] as const))('named query %s is deployed with the same SQL in the workgroup', (_, q) => {
    const p = resources[namedQueryId(q.name)]!.Properties;
    expect(p).toEqual({
      Name: q.name,
      Description: q.description,
      Database: { Ref: 'GlueDatabase' },
      WorkGroup: { Ref: 'AthenaWorkGroup' },
      QueryString: q.sql,
    });
    expect(q.sql).not.toMatch(/["`]/); // unquoted identifiers: portable across the Glue catalog's lower-casing and DuckDB
    expect(q.sql).toMatch(/\bFROM (stocks|weather)\b/);
  });

  test('declares every promised output and takes only wired parameters', () => {
    for (const o of analytics.outputs) expect(doc.Outputs).toHaveProperty(o);
    for (const [name, p] of Object.entries(doc.Parameters as Record<string, Json>)) if (p.Default === undefined) expect(analytics.inputs).toHaveProperty(name);
  });

  test.each([
    ['6.1', ['GlueDatabase', 'ProcessedCrawler', 'CrawlerRole']],
    ['6.2', ['AthenaResultsBucket', 'AthenaWorkGroup']],
  ])('roadmap bullet %s maps to %j', (bullet, ids) => {
    expect(doc.Metadata.Roadmap[bullet].Resources).toEqual(expect.arrayContaining(ids));
  });
});

describe('processed-zone schema', () => {
  const KIND_TO_TYPE: Record<string, string> = { dict: 'VARCHAR', utf8: 'VARCHAR', f64: 'DOUBLE', i64: 'BIGINT', i32: 'INTEGER', tsms: 'TIMESTAMP' };
  test.each([
    ['stocks', STOCK_COLUMNS],
    ['weather', WEATHER_COLUMNS],
  ] as const)("PROCESSED_COLUMNS.%s mirrors the enricher's Parquet writer (names, order, types)", (dataset, writer) => {
    expect(PROCESSED_COLUMNS[dataset].map((c) => [c.name, c.type])).toEqual(writer.map((c) => [c.name, KIND_TO_TYPE[c.kind]]));
  });
});

// -------------------------------------------------------------------------------------------------
// The named queries on DuckDB over Parquet written in the processed zone's layout.

const NOW = new Date('2026-11-20T16:00:01Z');

function stockTick(symbol: string, ts: string, price: number, volume: number, low = price - 1, high = price + 1): StockTick {
  return { schemaVersion: 1, type: 'stock', symbol, ts, price, open: 100, high, low, prevClose: 100, volume, source: 'api' };
}

function weatherObservation(city: string, ts: string, tempC: number, windKph: number, precipMm: number): WeatherObservation {
  return { schemaVersion: 1, type: 'weather', city, ts, tempC, humidity: 80, windKph, precipMm, pressureHpa: 1012, source: 'api' };
}

/** Canonical events through the real enrichment (lineage, change, dew point …), as the enricher writes them. */
function enriched<T extends EnrichedEvent>(events: CanonicalEvent[]): T[] {
  return events.map(
    (e, i) =>
      enrich(
        e,
        {
          shardId: 'shardId-000000000000',
          sequenceNumber: String(49650000000000000000n + BigInt(i)),
          approximateArrivalTimestamp: Date.parse(e.ts) / 1000 + 1,
        },
        NOW,
      ) as T,
  );
}

const STOCKS = enriched<EnrichedStock>([
  stockTick('AAPL', '2026-11-19T14:30:00Z', 100, 1000, 99, 101),
  stockTick('AAPL', '2026-11-19T15:10:00Z', 102, 5000, 99, 103),
  stockTick('AAPL', '2026-11-20T14:05:00Z', 104, 2000, 103, 105),
  stockTick('AAPL', '2026-11-20T14:45:00Z', 106, 3000, 103, 107),
  stockTick('AAPL', '2026-11-20T15:20:00Z', 103, 8000, 102, 107),
  stockTick('MSFT', '2026-11-19T23:30:00Z', 410, 700, 405, 412),
  stockTick('MSFT', '2026-11-20T14:10:00Z', 400, 500, 398, 401),
  stockTick('MSFT', '2026-11-20T14:50:00Z', 390, 9000, 389, 401),
]);
const WEATHER = enriched<EnrichedWeather>([
  weatherObservation('Amsterdam', '2026-11-20T06:00:00Z', 5, 20, 0.5),
  weatherObservation('Amsterdam', '2026-11-20T12:00:00Z', 8, 45, 1.2),
  weatherObservation('Amsterdam', '2026-11-20T18:00:00Z', 3, 30, 0),
  weatherObservation('New York', '2026-11-20T12:00:00Z', -2, 10, 0),
  weatherObservation('New York', '2026-11-20T18:00:00Z', 1, 15, 0),
]);

/** `prev_close` → `prevClose`: the enriched row's field behind a processed column. */
const field = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function sqlLiteral(value: unknown, type: string): string {
  if (type === 'VARCHAR') return `'${String(value).replace(/'/g, "''")}'`;
  if (type === 'TIMESTAMP') return `TIMESTAMPTZ '${String(value)}'`;
  return String(value);
}

type Writer = (db: DuckDBConnection, root: string, dataset: 'stocks' | 'weather', rows: readonly EnrichedEvent[]) => Promise<void>;

/** DuckDB's own Parquet writer over the mirrored schema (PROCESSED_COLUMNS), hive-partitioned by COPY. */
const duckdbWriter: Writer = async (db, root, dataset, rows) => {
  const columns = PROCESSED_COLUMNS[dataset];
  const ddl = columns.map((c) => `${c.name} ${c.type === 'TIMESTAMP' ? 'TIMESTAMPTZ' : c.type}`).join(', ');
  await db.run(`CREATE OR REPLACE TABLE staging_${dataset} (${ddl})`);
  const values = rows.map((r) => `(${columns.map((c) => sqlLiteral((r as unknown as Json)[field(c.name)], c.type)).join(', ')})`).join(',\n');
  await db.run(`INSERT INTO staging_${dataset} VALUES ${values}`);
  await mkdir(path.join(root, 'processed'), { recursive: true });
  const target = path.join(root, 'processed', dataset).replace(/'/g, "''");
  await db.run(
    `COPY (SELECT *, year(ts) AS year, month(ts) AS month, day(ts) AS day FROM staging_${dataset}) TO '${target}' (FORMAT PARQUET, PARTITION_BY (year, month, day))`,
  );
};

/** The enricher's writer (handlers/lib/parquet.ts), one object per day partition as the processed-zone keys lay them out. */
const enricherWriter: Writer = async (_db, root, dataset, rows) => {
  const byDay = new Map<string, EnrichedEvent[]>();
  for (const r of rows) {
    const d = new Date(r.ts);
    const key = `year=${d.getUTCFullYear()}/month=${String(d.getUTCMonth() + 1).padStart(2, '0')}/day=${String(d.getUTCDate()).padStart(2, '0')}`;
    byDay.set(key, [...(byDay.get(key) ?? []), r]);
  }
  for (const [key, dayRows] of byDay) {
    const dir = path.join(root, 'processed', dataset, key);
    await mkdir(dir, { recursive: true });
    const bytes = dataset === 'stocks' ? stocksToParquet(dayRows as EnrichedStock[]) : weatherToParquet(dayRows as EnrichedWeather[]);
    await writeFile(path.join(dir, 'shardId-000000000000-49650000000000000000.parquet'), bytes);
  }
};

describe.each([
  ["DuckDB's writer over PROCESSED_COLUMNS", duckdbWriter],
  ["the enricher's writer (handlers/lib/parquet.ts)", enricherWriter],
] as const)('named queries on DuckDB, Parquet from %s', (_, writer) => {
  let root: string;
  let db: DuckDBConnection;
  const run = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJson();

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'processed-'));
    db = await (await DuckDBInstance.create(':memory:')).connect();
    for (const s of DUCKDB_SESSION_SETUP) await db.run(s);
    await writer(db, root, 'stocks', STOCKS);
    await writer(db, root, 'weather', WEATHER);
    for (const d of ['stocks', 'weather'] as const) await db.run(duckdbViewSql(d, root));
  });
  afterAll(async () => {
    db.closeSync();
    await rm(root, { recursive: true, force: true });
  });

  test('the fixture really is hive-partitioned Parquet and the views expose every processed column', async () => {
    expect((await readdir(path.join(root, 'processed', 'stocks'))).sort()).toEqual(['year=2026']);
    const described = await run('DESCRIBE stocks');
    const names = described.map((c) => c.column_name);
    const fileColumns = PROCESSED_COLUMNS.stocks.map((c) => c.name);
    expect(names.slice(0, fileColumns.length)).toEqual(fileColumns);
    expect(names.slice(fileColumns.length).sort()).toEqual(['day', 'month', 'year']);
    expect(described.find((c) => c.column_name === 'month')!.column_type).toBe('INTEGER');
  });

  const expected: Record<string, Json[]> = {
    'daily-average-price': [
      { symbol: 'AAPL', trade_date: '2026-11-19', avg_price: 101, day_low: 99, day_high: 103, ticks: '2' },
      { symbol: 'AAPL', trade_date: '2026-11-20', avg_price: 104.3333, day_low: 102, day_high: 107, ticks: '3' },
      { symbol: 'MSFT', trade_date: '2026-11-19', avg_price: 410, day_low: 405, day_high: 412, ticks: '1' },
      { symbol: 'MSFT', trade_date: '2026-11-20', avg_price: 395, day_low: 389, day_high: 401, ticks: '2' },
    ],
    'intraday-trend': [
      { symbol: 'AAPL', hour_start: '2026-11-20 14:00:00+00', first_price: 104, last_price: 106, avg_price: 105, change_pct: 1.92 },
      { symbol: 'AAPL', hour_start: '2026-11-20 15:00:00+00', first_price: 103, last_price: 103, avg_price: 103, change_pct: 0 },
      { symbol: 'MSFT', hour_start: '2026-11-20 14:00:00+00', first_price: 400, last_price: 390, avg_price: 395, change_pct: -2.5 },
    ],
    'top-volume': [
      { symbol: 'MSFT', trade_date: '2026-11-20', day_volume: '9000' },
      { symbol: 'AAPL', trade_date: '2026-11-20', day_volume: '8000' },
      { symbol: 'AAPL', trade_date: '2026-11-19', day_volume: '5000' },
      { symbol: 'MSFT', trade_date: '2026-11-19', day_volume: '700' },
    ],
    'weather-extremes': [
      { city: 'Amsterdam', obs_date: '2026-11-20', min_temp_c: 3, max_temp_c: 8, max_wind_kph: 45, total_precip_mm: 1.7, observations: '3' },
      { city: 'New York', obs_date: '2026-11-20', min_temp_c: -2, max_temp_c: 1, max_wind_kph: 15, total_precip_mm: 0, observations: '2' },
    ],
  };

  test('every named query has expected results here', () => {
    expect(Object.keys(expected).sort()).toEqual(NAMED_QUERIES.map((q) => q.name).sort());
  });

  test.each(NAMED_QUERIES.map((q) => [q.name, q.sql] as const))('%s returns the expected rows', async (name, sql) => {
    expect(await run(sql)).toEqual(expected[name]);
  });

  test.each([
    ['Asia/Tokyo', '2026-11-20'],
    ['UTC', '2026-11-19'],
  ])('with TimeZone %s the 23:30Z tick falls on %s (why DUCKDB_SESSION_SETUP sets UTC, as Athena uses)', async (zone, day) => {
    await db.run(`SET TimeZone = '${zone}'`);
    const rows = await run("SELECT CAST(ts AS DATE) AS d FROM stocks WHERE symbol = 'MSFT' ORDER BY ts LIMIT 1");
    for (const s of DUCKDB_SESSION_SETUP) await db.run(s);
    expect(rows).toEqual([{ d: day }]);
  });
});
