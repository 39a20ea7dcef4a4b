/**
 * The usage side of the estimate: what the deployment does in a month, derived from its
 * parameters (symbols × cities × poll rate, read back from the evaluated schedule) and from what
 * each handler does per record (read from its code, cited below). Every number that is not
 * derived is an Assumption with its reason, printed with the estimate.
 *
 * Sizes are measured, not guessed: a canonical event is built from handlers/lib/contracts.ts and
 * serialised, enriched with handlers/lib/enrich.ts and turned into the MetricsTable item by the
 * enricher's own `metricsItem`, gzip is run on the raw NDJSON, and the TTL is read back from the
 * item `metricsItem` writes (`expiresAt − ts`).
 */
import { gzipSync } from 'node:zlib';
import { SCHEMA_VERSION, type StockTick, type WeatherObservation } from '../../../handlers/lib/contracts';
import { enrich } from '../../../handlers/lib/enrich';
import { latestAttributes, metricsItem } from '../../../handlers/enricher/core';

export interface Assumption {
  readonly name: string;
  readonly value: string;
  readonly why: string;
}

/**
 * The assumptions that are not derived from the templates or the parameter file. Changing one
 * changes every estimate; each says why it has the value it has.
 */
export const ASSUMPTIONS = {
  /** Data kept for this many months before the estimate's month (S3 keeps the data lake forever). */
  storageMonth: {
    value: 12,
    why: 'storage is billed as it would be in the 12th month of operation: the data lake has no expiration, so it grows; DynamoDB reaches its TTL steady state after 30 days',
  },
  /** Every poll yields one record per symbol and per city, markets open or not. */
  recordsPerEntityPerPoll: {
    value: 1,
    why: 'the poller emits one canonical event per symbol and city each run (handlers/poller/poll.ts) and runs around the clock; an upper bound, a closed market may return no new quote',
  },
  /** Shards of an on-demand stream. */
  onDemandShards: { value: 4, why: 'an on-demand stream starts with 4 MB/s of write capacity (4 shards) and only grows with traffic far above ours' },
  /** Alerts a month (SNS publishes, notifier invocations, emails). */
  alertsPerMonth: { value: 30, why: 'about one alert a day across all rules; alerts are rare by design (one per entity, rule and day)' },
  /** Requests to the ingestion APIs from outside producers. */
  apiRequestsPerMonth: { value: 0, why: 'the poller writes to Kinesis directly; only external producers call POST /ingest, and none are assumed' },
  /** Client-credentials token requests (one per producer per token lifetime). */
  tokenRequestsPerMonth: { value: 0, why: 'no external producer is assumed, so no tokens are requested' },
  /** CloudTrail management events in the account and region a month. */
  managementEventsPerMonth: {
    value: 100_000,
    why: 'roughly 2 API calls a minute from the services, keys and deploys of one small environment; used for GuardDuty analysis and the trail log group',
  },
  /** Bytes of one CloudTrail management event as delivered. */
  managementEventBytes: { value: 1500, why: 'a typical CloudTrail JSON record' },
  /** VPC flow log records per Lambda invocation in a VPC (ENI ↔ endpoints, NAT). */
  flowRecordsPerInvocation: {
    value: 20,
    why: 'a handler opens a few TLS connections (KMS, Kinesis, DynamoDB, S3, Secrets Manager); each is a record on both the Lambda ENI and the endpoint ENI per aggregation interval',
  },
  /** Bytes of one VPC flow log record in CloudWatch Logs. */
  flowRecordBytes: { value: 130, why: 'the default flow log format, one line per record' },
  /** Bytes of Lambda platform log lines per invocation (start, end, report in JSON). */
  platformLogBytes: { value: 600, why: 'LogFormat JSON: platform.start and platform.report records' },
  /** Application log bytes per invocation and per record at each LOG_LEVEL. */
  appLogBytes: {
    value: { INFO: { base: 400, perRecord: 0 }, DEBUG: { base: 1500, perRecord: 300 } },
    why: 'Powertools logger: INFO writes a start/finish line per run; DEBUG adds one line per record',
  },
  /** Stored CloudWatch Logs bytes per ingested byte. */
  logCompression: { value: 0.15, why: 'CloudWatch Logs bills archived storage compressed; JSON logs compress about 6-7x' },
  /** KMS requests a customer managed key serves a month. */
  kmsRequestsPerKey: {
    value: 10_000,
    why: 'services cache data keys (Kinesis refreshes about every 5 minutes, S3 bucket keys, SQS 300 s reuse), so a key serves thousands, not millions, of requests',
  },
  /** Parquet object size: fixed footer and schema plus bytes per row. */
  parquetBytes: { value: { base: 4096, perRow: 48 }, why: 'parquet-wasm with zstd: the schema and footer dominate small files' },
  /** Rows returned by a daily run of a named query. */
  athenaResultBytes: { value: 50_000, why: 'a few hundred result rows as CSV' },
  /** Security Hub checks per in-scope resource a month. */
  securityChecksPerResourcePerMonth: { value: 30, why: 'the foundational standard re-checks resources about daily' },
  /** Config items recorded per resource a month. */
  configItemsPerResourcePerMonth: { value: 2, why: 'configuration changes are rare once deployed; Lambda ENIs and log groups add a few' },
  /** Config rule evaluations per in-scope resource a month. */
  configEvaluationsPerResourcePerMonth: { value: 30, why: 'change-triggered rules plus the daily periodic ones' },
  /** DPUs a crawler run uses. */
  crawlerDpus: {
    value: 1,
    why: "AWS does not publish a crawler's DPU count; a crawl of a few small new folders is taken as 1 DPU (issue 13 gives $53–106, i.e. 1–2 DPUs)",
  },
  /** Minutes billed per crawler run. */
  crawlerMinimumMinutes: { value: 10, why: 'each crawl is billed at least 10 minutes; new-folder crawls of this data finish well within it' },
  /** How long each handler runs per invocation. */
  durations: {
    value: 'see HANDLERS',
    why: 'the I/O a handler waits on (HTTP to the providers, DynamoDB and S3 round trips) dominates; bench/results/handlers.json shows the CPU part is well under a millisecond per record',
  },
} as const;

/** What a handler does, from its code; used to turn invocations into requests, rows and bytes. */
export interface HandlerBehaviour {
  /** Milliseconds per invocation: a fixed part plus one per record (or per entity for the poller). */
  readonly durationMs: { readonly base: number; readonly perRecord: number };
  /** Write request units per record, by the environment variable that names the table. */
  readonly writesPerRecord?: Readonly<Record<string, number>>;
  /** Read request units per record, by table variable. */
  readonly readsPerRecord?: Readonly<Record<string, number>>;
  /** Write request units per invocation, by table variable. */
  readonly writesPerInvocation?: Readonly<Record<string, number>>;
  /** Objects written per invocation and dataset, by the variable that names the bucket. */
  readonly zones?: Readonly<Record<string, 'raw' | 'processed'>>;
  /** Secrets Manager GetSecretValue calls per invocation (cached 5 minutes in a warm function, handlers/lib/secrets.ts). */
  readonly secretReadsPerInvocation?: number;
  readonly why: string;
}

export const HANDLERS: Readonly<Record<string, HandlerBehaviour>> = {
  poller: {
    durationMs: { base: 300, perRecord: 150 },
    // lease.ts: one conditional UpdateItem to acquire and one to release per run.
    writesPerInvocation: { LEASE_TABLE_NAME: 2 },
    secretReadsPerInvocation: 0.2,
    why: 'one HTTPS request per symbol and city (poll.ts), then PutRecords; lease acquire + release (lease.ts)',
  },
  enricher: {
    durationMs: { base: 120, perRecord: 8 },
    // index.ts writeValid: putIfAbsent into MetricsTable, updateIfNewer on LatestTable, per record.
    writesPerRecord: { METRICS_TABLE_NAME: 1, LATEST_TABLE_NAME: 1 },
    // index.ts writeZones: one raw NDJSON and one Parquet object per dataset and day in the batch.
    zones: { RAW_BUCKET_NAME: 'raw', PROCESSED_BUCKET_NAME: 'processed' },
    why: 'per record a MetricsTable put and a LatestTable update; per batch one raw and one Parquet object per dataset (handlers/enricher/index.ts)',
  },
  aggregator: {
    durationMs: { base: 80, perRecord: 6 },
    // core.ts metricsRows: an SMA row plus the AVG5M and AVG1H window rows per tick;
    // index.ts: the rolling state read from and written back to LatestTable.
    writesPerRecord: { METRICS_TABLE_NAME: 3, LATEST_TABLE_NAME: 2 },
    readsPerRecord: { LATEST_TABLE_NAME: 1 },
    why: 'per tick three MetricsTable rows (SMA, 5-minute and 1-hour windows) and the rolling state in LatestTable, read then written (about 1.5 KB: two write units)',
  },
  rules: {
    durationMs: { base: 40, perRecord: 2 },
    why: 'judges each LatestTable change; writes alert state and publishes only when an alert fires (counted with the alerts)',
  },
  notifier: {
    durationMs: { base: 400, perRecord: 0 },
    secretReadsPerInvocation: 1,
    why: 'one SNS message per invocation, a Slack webhook call',
  },
  rotation: {
    durationMs: { base: 1000, perRecord: 0 },
    secretReadsPerInvocation: 2,
    why: 'one of the four rotation steps per invocation',
  },
};

/** Size of a DynamoDB item as DynamoDB bills it: attribute names plus values (numbers ~ digits / 2 + 1). */
export function dynamoItemBytes(item: Readonly<Record<string, unknown>>): number {
  let bytes = 0;
  const valueBytes = (v: unknown): number => {
    if (v === undefined) return 0;
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (typeof v === 'number')
      return (
        Math.ceil(
          String(Math.abs(v))
            .replace(/[.e+-]/g, '')
            .replace(/^0+/, '').length / 2,
        ) + 1
      );
    if (typeof v === 'boolean' || v === null) return 1;
    if (Array.isArray(v)) return 3 + v.reduce<number>((n, x) => n + 1 + valueBytes(x), 0);
    if (typeof v === 'object') return 3 + dynamoItemBytes(v as Record<string, unknown>);
    return 0;
  };
  for (const [k, v] of Object.entries(item)) if (v !== undefined) bytes += Buffer.byteLength(k) + valueBytes(v);
  return bytes;
}

const SAMPLE_STOCK: StockTick = {
  schemaVersion: SCHEMA_VERSION,
  type: 'stock',
  symbol: 'MSFT',
  ts: '2026-11-30T15:30:00.000Z',
  price: 412.37,
  open: 409.5,
  high: 414.02,
  low: 408.91,
  prevClose: 410.12,
  volume: 18234567,
  source: 'finnhub',
};
const SAMPLE_WEATHER: WeatherObservation = {
  schemaVersion: SCHEMA_VERSION,
  type: 'weather',
  city: 'Amsterdam',
  ts: '2026-11-30T15:30:00.000Z',
  tempC: 7.4,
  humidity: 86,
  windKph: 22.3,
  precipMm: 0.2,
  pressureHpa: 1012.6,
  source: 'open-meteo',
};

export interface RecordSizes {
  /** Bytes of one canonical event as sent to Kinesis (the average of a stock tick and a weather observation). */
  readonly recordBytes: number;
  /** Bytes of the enricher's MetricsTable item. */
  readonly metricsItemBytes: number;
  /** Bytes of a LatestTable item (enricher attributes plus the aggregator's rolling state). */
  readonly latestItemBytes: number;
  /** Days a MetricsTable item lives, read back from `metricsItem`'s `expiresAt`. */
  readonly ttlDays: number;
  /** Gzip bytes of a raw object holding `n` records. */
  rawObjectBytes(n: number): number;
}

let sizesCache: RecordSizes | undefined;

/** Sizes measured with the handlers' own code (see the module comment). */
export function recordSizes(): RecordSizes {
  if (sizesCache) return sizesCache;
  const origin = {
    shardId: 'shardId-000000000000',
    sequenceNumber: '49654321098765432109876543210987654321098765432109876543',
    approximateArrivalTimestamp: Date.parse('2026-11-30T15:30:01.234Z') / 1000,
  };
  const now = new Date('2026-11-30T15:30:02.000Z');
  const events = [SAMPLE_STOCK, SAMPLE_WEATHER];
  const lines = events.map((e) => JSON.stringify(e));
  const enriched = events.map((e) => enrich(e, origin, now));
  const items = enriched.map((e) => metricsItem(e));
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = items[0]!;
  const ttlDays = Math.round(((first.expiresAt as number) - Date.parse(String(first.ts)) / 1000) / 86_400);
  // The aggregator adds its rolling state (the last 20 values, SMAs, two windows) to the latest item.
  const rolling = {
    recent: Array.from({ length: 20 }, (_, i) => 400 + i / 7),
    sma5: 411.234,
    sma20: 409.876,
    prevSma5: 411.1,
    prevSma20: 409.8,
    smaTs: SAMPLE_STOCK.ts,
    win5m: { start: SAMPLE_STOCK.ts, count: 5, sum: 2061.85, min: 411.9, max: 412.5 },
    win1h: { start: SAMPLE_STOCK.ts, count: 60, sum: 24702.2, min: 408.9, max: 414.0 },
  };
  const latest = enriched.map((e) => dynamoItemBytes({ pk: e.pk, ts: e.ts, ...latestAttributes(e), ...rolling }));
  const average = lines.join('\n');
  sizesCache = {
    recordBytes: avg(lines.map((l) => Buffer.byteLength(l))),
    metricsItemBytes: avg(items.map(dynamoItemBytes)),
    latestItemBytes: avg(latest),
    ttlDays,
    rawObjectBytes: (n) => gzipSync(Array.from({ length: Math.max(1, Math.round(n)) }, () => average).join('\n')).length,
  };
  return sizesCache;
}

/** The assumptions as printed with an estimate. */
export function assumptionList(): Assumption[] {
  const sizes = recordSizes();
  const derived: Assumption[] = [
    {
      name: 'record size',
      value: `${Math.round(sizes.recordBytes)} bytes`,
      why: 'measured: a canonical stock tick and weather observation serialised (handlers/lib/contracts.ts)',
    },
    {
      name: 'MetricsTable item',
      value: `${Math.round(sizes.metricsItemBytes)} bytes, TTL ${sizes.ttlDays} days`,
      why: "measured with the enricher's metricsItem(); the TTL read back from its expiresAt",
    },
    {
      name: 'LatestTable item',
      value: `${Math.round(sizes.latestItemBytes)} bytes`,
      why: "enricher attributes plus the aggregator's rolling state, sized as DynamoDB bills items",
    },
  ];
  const listed = Object.entries(ASSUMPTIONS).map(([name, a]) => ({
    name,
    value: typeof a.value === 'object' ? JSON.stringify(a.value) : String(a.value),
    why: a.why,
  }));
  const handlers = Object.entries(HANDLERS).map(([name, h]) => ({
    name: `${name} handler`,
    value: `${h.durationMs.base} ms + ${h.durationMs.perRecord} ms per record`,
    why: h.why,
  }));
  return [...derived, ...listed, ...handlers];
}
