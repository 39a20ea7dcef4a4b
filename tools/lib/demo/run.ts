/**
 * `npm run demo`: the roadmap's demo script on this machine (DESIGN §8), with the real handler code.
 *
 * 1. kinesalite, dynalite and s3rver on 127.0.0.1 (free ports); stream, tables and buckets
 *    created from generated/ (resources.ts), the ESM settings read from compute.yaml and the
 *    `/ingest` contract from streaming.yaml (template-contracts.ts).
 * 2. Producers: the replay CSV through the local `POST /ingest` in batches; one poller run
 *    against demo/recorded/ with a fixed clock; with `--faults`, bad records, duplicates,
 *    out-of-order ticks and a poison record straight into the stream.
 * 3. Consumers, concurrently with the producers, each with Lambda's batch semantics
 *    (event-source.ts): enricher and aggregator on every Kinesis shard (like two ESMs), the rules
 *    engine on the LatestTable stream derived from the writes (stream-capture.ts), SNS captured
 *    by a fake client, the notifier fed the captured messages with Slack answered locally.
 * 4. Afterwards: the named queries on DuckDB over the processed zone, alerts printed and written
 *    to `.demo/alerts.ndjson`, a summary, and the proof that nothing was lost or double-counted.
 *
 * Every service started is stopped in `finally`, also when `signal` aborts (Ctrl-C).
 * Not applied locally: MaximumBatchingWindowInSeconds (records are handed over as soon as they
 * are read, which only makes batches smaller) and ParallelizationFactor (one batch per shard
 * at a time, which keeps per-key order as Lambda does).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { DynamoDBRecord, KinesisStreamRecord, SNSEvent } from 'aws-lambda';
import { createHandler as createAggregator } from '../../../handlers/aggregator/index';
import { createHandler as createEnricher } from '../../../handlers/enricher/index';
import { createHandler as createNotifier } from '../../../handlers/notifier/index';
import { createHandler as createPoller } from '../../../handlers/poller/index';
import { parseCities } from '../../../handlers/poller/config';
import { createHandler as createRules } from '../../../handlers/rules/index';
import { DEFAULT_THRESHOLDS } from '../../../handlers/rules/decide';
import { createDocumentClient } from '../../../handlers/lib/dynamo';
import { limiter } from '../../../handlers/lib/limit';
import type { Alert } from '../../../handlers/lib/contracts';
import type { Observability } from '../../../handlers/lib/observability';
import { NAMED_QUERIES } from '../../../templates-src/lib/named-queries';
import { localClientConfig, localS3Client, startDynalite, startKinesalite, startS3rver, type LocalDynamo, type LocalKinesis, type LocalS3 } from '../local-aws';
import { runNamedQueries, type QueryResult } from './athena-local';
import { drainShard, type EventSourceStats } from './event-source';
import { corruptBase64, injectDynamoFaults, injectS3Faults, invalidRecords, type FaultStats, type InvalidRecord } from './faults';
import { startIngestServer, type IngestServer } from './ingest-server';
import { listShardIds, openShard, toLambdaRecord } from './kinesis-source';
import { readRecordedManifest, recordedFetch } from './recorded-fetch';
import { readReplayCsv, type ReplayTick } from './replay-csv';
import { localResources, readTemplates, type LocalNames } from './resources';
import { captureStream } from './stream-capture';
import { proveDelivery, type OnFailureEntry, type Proof } from './proof';

export type { OnFailureEntry, Proof } from './proof';
import { eventSourceMappingsFromTemplate, ingestContractFromTemplate, parameterDefault, passesFilters, type EventSourceMappingSettings } from './template-contracts';

export interface DemoOptions {
  /** Project root holding generated/ and demo/. @default process.cwd() */
  readonly rootDir?: string;
  /** Replay CSV. @default <rootDir>/demo/data/DEMO.csv */
  readonly replayFile?: string;
  /** Symbol for files without one, or a filter in long/prefixed files. @default none */
  readonly symbol?: string;
  /** Trading days per second of wall time; 0 = as fast as possible. @default 0 */
  readonly speed?: number;
  /** StockDropPercent. @default root.yaml's StockDropPercent default */
  readonly thresholdPercent?: number;
  /** Inject faults and prove nothing was lost or double-counted. @default false */
  readonly faults?: boolean;
  /**
   * With faults: the producer also resends every third delivery (the same events as new Kinesis
   * records, RELIABILITY 2's "producer resend"). @default true
   */
  readonly producerResends?: boolean;
  /** Only the summary (no progress lines, no tables). @default false */
  readonly quiet?: boolean;
  /** Keep the Parquet mirror and summary under outDir. @default false */
  readonly keep?: boolean;
  /** Output directory (alerts.ndjson; with keep, the processed zone mirror). @default <rootDir>/.demo */
  readonly outDir?: string;
  /** Run the poller against demo/recorded/. @default true */
  readonly poller?: boolean;
  /** Ticks per POST /ingest. @default 100 */
  readonly ingestBatchSize?: number;
  /** Where lines go. @default console.log */
  readonly print?: (line: string) => void;
  /** Aborts the run (Ctrl-C); services are still stopped. */
  readonly signal?: AbortSignal;
}

export interface StoreCounts {
  readonly metricsItems: number;
  readonly metricsTickItems: number;
  readonly metricsAggregateItems: number;
  readonly latestEntities: number;
  readonly rawObjects: number;
  readonly rawLines: number;
  readonly processedObjects: number;
  readonly parquetRows: number;
  readonly quarantined: number;
}

export interface DemoResult {
  readonly recordsIn: number;
  readonly replayTicks: readonly ReplayTick[];
  /** Canonical events the poller wrote. */
  readonly pollerEvents: readonly Record<string, unknown>[];
  /** With faults: records the fault run added (resent, invalid, out-of-order, poison). */
  readonly faultRecords?: Readonly<Record<string, number>>;
  readonly stores: StoreCounts;
  readonly quarantine: readonly { code: string; reason: string }[];
  readonly alerts: readonly Alert[];
  readonly alertsFile: string;
  readonly slackPosts: readonly string[];
  readonly onFailure: readonly OnFailureEntry[];
  readonly esm: Readonly<Record<string, EventSourceStats>>;
  /** Wall time spent inside each handler, ms. */
  readonly handlerBusyMs: Readonly<Record<string, number>>;
  readonly queries: readonly QueryResult[];
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly samples: number };
  readonly throughputPerSecond: number;
  readonly elapsedMs: number;
  readonly faults?: Readonly<Record<string, number>>;
  readonly proof: Proof;
}

export class DemoAbortedError extends Error {
  override readonly name = 'DemoAbortedError';
}

const NAMES: LocalNames = { NamePrefix: 'stockwx-demo', 'AWS::AccountId': '000000000000', 'AWS::Region': 'us-east-1' };
const TEMPLATE_FILES = ['streaming.yaml', 'datastores.yaml', 'data-lake.yaml', 'compute.yaml', 'root.yaml'];
const POISON_SYMBOL = 'POISON';
const OUT_OF_ORDER_SYMBOL = 'OOO';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Handlers' observability for the demo: logs silent (errors only with DEMO_DEBUG), metrics off, no tracing. */
function quietObservability(serviceName: string): Observability {
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true'; // read once by the constructor
  try {
    return {
      logger: new Logger({ serviceName, logLevel: process.env.DEMO_DEBUG ? 'DEBUG' : 'SILENT' }),
      metrics: new Metrics({ serviceName, namespace: 'StockWeatherDemo' }),
      tracer: new Tracer({ serviceName, enabled: false }),
    };
  } finally {
    if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
}

async function scanAll(doc: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

interface Consumer {
  readonly name: 'enricher' | 'aggregator';
  readonly settings: EventSourceMappingSettings;
  readonly invoke: (records: readonly KinesisStreamRecord[]) => Promise<{ batchItemFailures?: { itemIdentifier: string }[] } | void>;
}

/** The rules' thresholds: the stock drop as chosen, the weather ones from root.yaml's defaults (like a deploy without overrides). */
function weatherThresholds(root: Record<string, unknown>, stockDropPercent: number): typeof DEFAULT_THRESHOLDS {
  const fromRoot = (name: string, fallback: number): number => {
    const value = Number(parameterDefault(root, name));
    return Number.isFinite(value) ? value : fallback;
  };
  return {
    stockDropPercent,
    heatThresholdC: fromRoot('HeatThresholdC', DEFAULT_THRESHOLDS.heatThresholdC),
    coldThresholdC: fromRoot('ColdThresholdC', DEFAULT_THRESHOLDS.coldThresholdC),
    windThresholdKph: fromRoot('WindThresholdKph', DEFAULT_THRESHOLDS.windThresholdKph),
    precipThresholdMm: fromRoot('PrecipThresholdMm', DEFAULT_THRESHOLDS.precipThresholdMm),
  };
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const rootDir = options.rootDir ?? process.cwd();
  const print = options.print ?? ((line: string) => console.log(line));
  const progress = (line: string): void => {
    if (!options.quiet) print(line);
  };
  const outDir = options.outDir ?? path.join(rootDir, '.demo');
  const faults = options.faults ?? false;
  const started = Date.now();
  const checkAbort = (): void => {
    if (options.signal?.aborted) throw new DemoAbortedError('demo interrupted; stopping the local services');
  };

  // --- what the templates define -----------------------------------------------------------
  const templates = readTemplates(path.join(rootDir, 'generated'), TEMPLATE_FILES);
  const resources = localResources(templates, NAMES, ['RawBucket', 'ProcessedBucket']);
  const table = (id: string) => {
    const t = resources.tables.find((x) => x.logicalId === id);
    if (!t) throw new Error(`generated/datastores.yaml: no ${id}; rebuild the templates (npm run build:templates)`);
    return t;
  };
  const bucket = (id: string) => {
    const b = resources.buckets.find((x) => x.logicalId === id);
    if (!b) throw new Error(`generated/data-lake.yaml: no ${id}; rebuild the templates (npm run build:templates)`);
    return b.bucketName;
  };
  const metricsTable = table('MetricsTable');
  const latestTable = table('LatestTable');
  const rawBucket = bucket('RawBucket');
  const processedBucket = bucket('ProcessedBucket');
  const stream = resources.streams[0];
  if (!stream) throw new Error('generated/streaming.yaml: no AWS::Kinesis::Stream; rebuild the templates');
  const esm = eventSourceMappingsFromTemplate(templates['compute.yaml']!);
  const esmOf = (fn: string): EventSourceMappingSettings => {
    const s = esm.get(fn);
    if (!s) throw new Error(`generated/compute.yaml: no AWS::Lambda::EventSourceMapping for ${fn}`);
    return s;
  };
  const contract = ingestContractFromTemplate(templates['streaming.yaml']!, NAMES);
  const threshold = options.thresholdPercent ?? Number(parameterDefault(templates['root.yaml']!, 'StockDropPercent') ?? DEFAULT_THRESHOLDS.stockDropPercent);

  // --- what goes in ---------------------------------------------------------------------------
  const replayFile = options.replayFile ?? path.join(rootDir, 'demo/data/DEMO.csv');
  let replayText: string;
  try {
    replayText = readFileSync(replayFile, 'utf8');
  } catch (err) {
    throw new Error(`${replayFile}: cannot read the replay file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass an existing CSV to --replay`);
  }
  const replay = readReplayCsv(replayText, { fileName: replayFile, ...(options.symbol ? { symbol: options.symbol } : {}) });
  if (replay.ticks.length === 0) throw new Error(`${replayFile}: no usable rows to replay${replay.skipped[0] ? ` (line ${replay.skipped[0].line}: ${replay.skipped[0].reason})` : ''}`);
  progress(`replay ${path.relative(rootDir, replayFile) || replayFile}: ${replay.ticks.length} ticks, ${replay.symbols.join(', ')} (${replay.layout} layout)${replay.skipped.length > 0 ? `, ${replay.skipped.length} rows skipped` : ''}`);
  for (const s of replay.skipped.slice(0, 5)) progress(`  skipped line ${s.line}: ${s.reason}`);

  const services: { name: string; stop: () => Promise<void> }[] = [];
  let ingest: IngestServer | undefined;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'stockwx-demo-'));
  const clients: { destroy(): void }[] = [];
  try {
    // --- services -----------------------------------------------------------------------------
    progress('starting kinesalite, dynalite and s3rver on 127.0.0.1 …');
    const startedServices = await Promise.allSettled([
      startKinesalite({ streams: resources.streams.map((s) => ({ streamName: s.streamName, shardCount: s.shardCount })) }),
      startDynalite({
        tables: resources.tables.map((t) => ({ TableName: t.tableName, KeySchema: t.keySchema, AttributeDefinitions: t.attributeDefinitions, BillingMode: 'PAY_PER_REQUEST' as const })),
      }),
      startS3rver({ buckets: resources.buckets.map((b) => b.bucketName) }),
    ]);
    for (const [i, r] of startedServices.entries()) if (r.status === 'fulfilled') services.push({ name: ['kinesalite', 'dynalite', 's3rver'][i]!, stop: r.value.stop });
    const failedStart = startedServices.find((r) => r.status === 'rejected');
    if (failedStart) throw new Error(`could not start the local services: ${(failedStart as PromiseRejectedResult).reason}`);
    const kinesis = (startedServices[0] as PromiseFulfilledResult<LocalKinesis>).value;
    const dynamo = (startedServices[1] as PromiseFulfilledResult<LocalDynamo>).value;
    const s3 = (startedServices[2] as PromiseFulfilledResult<LocalS3>).value;
    progress(`  kinesis ${kinesis.endpoint} (stream ${stream.streamName}, ${stream.shardCount} shard${stream.shardCount > 1 ? 's' : ''}), dynamodb ${dynamo.endpoint} (${resources.tables.map((t) => t.tableName).join(', ')}), s3 ${s3.endpoint} (${resources.buckets.map((b) => b.bucketName).join(', ')})`);
    checkAbort();

    // --- the handlers' clients (faults and the LatestTable stream live here) ------------------
    const handlerDdb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    const handlerS3: S3Client = localS3Client(s3.endpoint);
    clients.push(handlerDdb, handlerS3);
    const faultStats: FaultStats[] = [];
    if (faults) {
      faultStats.push(injectDynamoFaults(handlerDdb, { every: 5, poisonPks: [`STOCK#${POISON_SYMBOL}`] }));
      faultStats.push(injectS3Faults(handlerS3, { every: 4 }));
    }
    const streamRecords: DynamoDBRecord[] = [];
    captureStream(handlerDdb, { tableName: latestTable.tableName, keyAttributes: latestTable.keySchema.map((k) => k.AttributeName), onRecord: (r) => streamRecords.push(r) });
    // End-to-end latency: arrival in Kinesis (the item's ingestTs) → its MetricsTable write succeeded.
    const latencies: number[] = [];
    let lastEnrichedWrite = 0;
    handlerDdb.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const input = args.input as { TableName?: string; Item?: Record<string, AttributeValue> };
        if (context.commandName === 'PutItemCommand' && input.TableName === metricsTable.tableName) {
          const ingestTs = input.Item?.ingestTs?.S;
          if (ingestTs) {
            lastEnrichedWrite = Date.now();
            latencies.push(lastEnrichedWrite - Date.parse(ingestTs));
          }
        }
        return result;
      },
      { step: 'build', name: 'demoLatency' },
    );
    const doc = createDocumentClient(handlerDdb);

    const enricher = createEnricher({ doc, s3: handlerS3, config: { metricsTableName: metricsTable.tableName, latestTableName: latestTable.tableName, rawBucketName: rawBucket, processedBucketName: processedBucket }, observability: quietObservability('enricher') });
    const aggregator = createAggregator({ doc, config: { metricsTableName: metricsTable.tableName, latestTableName: latestTable.tableName }, observability: quietObservability('aggregator') });
    const alerts: Alert[] = [];
    const published: { topicArn: string; messageId: string; subject: string; message: string }[] = [];
    const fakeSns = {
      send: async (command: { input: { TopicArn?: string; Subject?: string; Message?: string } }) => {
        const messageId = `local-${String(published.length + 1).padStart(6, '0')}`;
        published.push({ topicArn: command.input.TopicArn ?? '', messageId, subject: command.input.Subject ?? '', message: command.input.Message ?? '' });
        return { MessageId: messageId, $metadata: {} };
      },
    } as unknown as SNSClient;
    const rules = createRules({
      config: {
        latestTableName: latestTable.tableName,
        marketAlertsTopicArn: `arn:aws:sns:us-east-1:000000000000:${NAMES.NamePrefix}-market-alerts`,
        weatherAlertsTopicArn: `arn:aws:sns:us-east-1:000000000000:${NAMES.NamePrefix}-weather-alerts`,
        thresholds: weatherThresholds(templates['root.yaml']!, threshold),
      },
      doc,
      sns: fakeSns,
      obs: quietObservability('rules'),
      onAlert: (alert) => {
        alerts.push(alert);
        progress(`  ALERT ${alert.rule} ${alert.entity} ${alert.ts}`);
      },
    });

    // --- ESM loops -----------------------------------------------------------------------------
    const onFailure: OnFailureEntry[] = [];
    const stats: Record<string, EventSourceStats> = {};
    const addStats = (name: string, s: EventSourceStats): void => {
      const t = (stats[name] ??= { invocations: 0, retries: 0, bisections: 0, recordsDelivered: 0, recordsCheckpointed: 0, recordsToOnFailure: 0 });
      for (const k of Object.keys(s) as (keyof EventSourceStats)[]) t[k] += s[k];
    };
    let invocationCount = 0;
    const busyMs: Record<string, number> = {};
    let redeliveries = 0;
    const kinesisConsumer = (name: Consumer['name'], settings: EventSourceMappingSettings, handler: typeof enricher): Consumer => ({
      name,
      settings,
      invoke: async (records) => {
        const event = { Records: records.map((r) => (faults ? corruptBase64(r) : r)) };
        invocationCount += 1;
        const t0 = Date.now();
        try {
          // --faults: every 4th invocation is delivered twice, as after a lost response (at-least-once).
          if (faults && invocationCount % 4 === 0) {
            redeliveries += 1;
            await handler(event);
          }
          return await handler(event);
        } finally {
          busyMs[name] = (busyMs[name] ?? 0) + Date.now() - t0;
        }
      },
    });
    const consumers = [kinesisConsumer('enricher', esmOf('EnricherFunction'), enricher), kinesisConsumer('aggregator', esmOf('AggregatorFunction'), aggregator)];
    const consumed: Record<string, number> = { enricher: 0, aggregator: 0 };
    let producersDone = false;
    let produced = 0;

    const shardIds = await listShardIds(kinesis.client, stream.streamName);
    const runKinesisConsumer = async (consumer: Consumer, shardId: string): Promise<void> => {
      const reader = await openShard(kinesis.client, stream.streamName, shardId);
      for (;;) {
        checkAbort();
        const doneBefore = producersDone;
        const raw = await reader.read(consumer.settings.batchSize);
        if (raw.length === 0) {
          if (doneBefore) return;
          await sleep(3);
          continue;
        }
        const records = raw.map((r) => toLambdaRecord(r, { streamName: stream.streamName, shardId }));
        const s = await drainShard(records, {
          config: consumer.settings,
          invoke: consumer.invoke,
          sequenceNumber: (r) => r.kinesis.sequenceNumber,
          arrivalMs: (r) => r.kinesis.approximateArrivalTimestamp * 1000,
          onFailure: async (failed) => {
            onFailure.push({ consumer: consumer.name, condition: failed.condition, keys: failed.records.map((r) => `${r.kinesis.partitionKey}@${r.kinesis.sequenceNumber}`), attempts: failed.attempts, ...(failed.lastError ? { lastError: failed.lastError } : {}) });
          },
        });
        addStats(consumer.name, s);
        consumed[consumer.name] = (consumed[consumer.name] ?? 0) + records.length;
      }
    };
    const rulesSettings = esmOf('RulesFunction');
    let kinesisDone = false;
    const runRulesConsumer = async (): Promise<void> => {
      for (;;) {
        checkAbort();
        const doneBefore = kinesisDone;
        if (streamRecords.length === 0) {
          if (doneBefore) return;
          await sleep(3);
          continue;
        }
        const pending = streamRecords.splice(0).filter((r) => passesFilters(rulesSettings, r));
        if (pending.length === 0) continue;
        const s = await drainShard(pending, {
          config: rulesSettings,
          invoke: async (records) => {
            const t0 = Date.now();
            try {
              return await rules({ Records: [...records] });
            } finally {
              busyMs.rules = (busyMs.rules ?? 0) + Date.now() - t0;
            }
          },
          sequenceNumber: (r) => r.dynamodb?.SequenceNumber ?? '',
          arrivalMs: (r) => (r.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000,
          onFailure: async (failed) => {
            onFailure.push({ consumer: 'rules', condition: failed.condition, keys: failed.records.map((r) => `${r.dynamodb?.Keys?.pk?.S ?? '?'}@${r.dynamodb?.SequenceNumber ?? ''}`), attempts: failed.attempts, ...(failed.lastError ? { lastError: failed.lastError } : {}) });
          },
        });
        addStats('rules', s);
      }
    };
    const kinesisLoops = Promise.all(consumers.flatMap((c) => shardIds.map((shard) => runKinesisConsumer(c, shard)))).finally(() => {
      kinesisDone = true;
    });
    const rulesLoop = runRulesConsumer();
    // A failing loop must not leave the others spinning: stop producers and consumers on the first error.
    const loops = Promise.all([kinesisLoops, rulesLoop]);
    let loopError: unknown;
    loops.catch((err: unknown) => {
      loopError = err;
      producersDone = true;
      kinesisDone = true;
    });

    // --- producers -----------------------------------------------------------------------------
    const putRecords = async (request: { StreamName: string; Records: { Data: string; PartitionKey: string }[] }): Promise<Record<string, unknown>> => {
      const out = await kinesis.client.send(new PutRecordsCommand({ StreamName: request.StreamName, Records: request.Records.map((r) => ({ Data: Buffer.from(r.Data, 'base64'), PartitionKey: r.PartitionKey })) }));
      return { FailedRecordCount: out.FailedRecordCount ?? 0, Records: (out.Records ?? []).map((r) => (r.ErrorCode ? { ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage } : { SequenceNumber: r.SequenceNumber, ShardId: r.ShardId })) };
    };
    ingest = await startIngestServer(contract, putRecords);
    progress(`  POST ${ingest.url}/ingest (request model and mapping templates of generated/streaming.yaml)`);
    const batchSize = options.ingestBatchSize ?? 100;
    const postBatch = async (ticks: readonly object[]): Promise<void> => {
      let pending = [...ticks];
      for (let attempt = 1; pending.length > 0; attempt++) {
        const res = await fetch(`${ingest!.url}/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ records: pending }) });
        const body = (await res.json()) as { failed?: { index: number; errorCode: string }[]; error?: { code: string; message: string } };
        if (res.status === 200) {
          produced += pending.length - (body.failed?.length ?? 0);
          pending = (body.failed ?? []).map((f) => pending[f.index]!);
        } else if (res.status !== 429 && res.status < 500) {
          throw new Error(`POST /ingest answered ${res.status} ${body.error?.code}: ${body.error?.message}`);
        }
        if (pending.length > 0) {
          if (attempt >= 5) throw new Error(`POST /ingest: ${pending.length} records still rejected after ${attempt} attempts`);
          await sleep(50 * attempt);
        }
      }
    };
    const putDirect = async (entries: readonly { partitionKey: string; data: string | Buffer }[]): Promise<void> => {
      const out = await kinesis.client.send(new PutRecordsCommand({ StreamName: stream.streamName, Records: entries.map((e) => ({ PartitionKey: e.partitionKey, Data: Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8') })) }));
      if ((out.FailedRecordCount ?? 0) > 0) throw new Error(`PutRecords: ${out.FailedRecordCount} records rejected by the local stream`);
      produced += entries.length;
    };
    const ingestStarted = Date.now();
    let lastProgress = 0;
    const report = (force = false): void => {
      if (!force && Date.now() - lastProgress < 1000) return;
      lastProgress = Date.now();
      progress(`  … ${produced} records in the stream, enricher ${consumed.enricher}, aggregator ${consumed.aggregator}, LatestTable changes ${stats.rules?.recordsDelivered ?? 0}, alerts ${alerts.length}`);
    };

    const invalid: InvalidRecord[] = [];
    let resent = 0;
    const extraValid: Record<string, unknown>[] = [];
    const pollerEvents: Record<string, unknown>[] = [];
    let producerError: unknown;
    try {
      progress(`feeding ${replay.ticks.length} replay ticks through POST /ingest${options.speed ? ` at ${options.speed} trading days/s` : ''} …`);
      const days = new Map<string, ReplayTick[]>();
      for (const t of replay.ticks) {
        const d = t.ts.slice(0, 10);
        let list = days.get(d);
        if (!list) days.set(d, (list = []));
        list.push(t);
      }
      // Day by day, each day's ticks in one delivery, the next day only once the Kinesis consumers
      // have read it: a live feed never hands the pipeline weeks of one symbol at once, and the
      // enricher moves LatestTable only to the newest tick of an entity in a batch, so a batch
      // holding several days of a symbol would hide the intermediate days from the stream-driven
      // drop rule (see the report of issue 6). --speed adds a pause between days.
      // Only the enricher needs one day per batch; the aggregator applies several ticks of an
      // entity in order within a batch, so it may lag behind (except before the poison record).
      const caughtUp = async (aggregatorToo = false): Promise<void> => {
        while (consumed.enricher! < produced || (aggregatorToo && consumed.aggregator! < produced)) {
          checkAbort();
          if (loopError) throw loopError;
          await sleep(2);
        }
      };
      let delivery = 0;
      for (const [, ticks] of days) {
        checkAbort();
        for (let i = 0; i < ticks.length; i += batchSize) {
          const chunk = ticks.slice(i, i + batchSize);
          await postBatch(chunk);
          // --faults: the producer resends every third delivery (duplicates of the same events).
          if (faults && (options.producerResends ?? true) && delivery % 3 === 0) {
            await postBatch(chunk);
            resent += chunk.length;
          }
          delivery += 1;
        }
        await caughtUp();
        report();
        if (options.speed && options.speed > 0) await sleep(1000 / options.speed);
      }

      if (options.poller ?? true) {
        const recordedDir = path.join(rootDir, 'demo/recorded');
        const manifest = readRecordedManifest(recordedDir);
        const problems: string[] = [];
        const cities = parseCities(Object.keys(manifest.cities).join(','), problems);
        if (problems.length > 0) throw new Error(`demo/recorded/manifest.json: ${problems.join('; ')}`);
        const pollerKinesis = new KinesisClient(localClientConfig(kinesis.endpoint));
        const pollerDdb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
        clients.push(pollerKinesis, pollerDdb);
        pollerKinesis.middlewareStack.add(
          (next, context) => async (args) => {
            const result = await next(args);
            if (context.commandName === 'PutRecordsCommand') {
              for (const r of (args.input as { Records: { Data: Uint8Array }[] }).Records) pollerEvents.push(JSON.parse(Buffer.from(r.Data).toString('utf8')) as Record<string, unknown>);
            }
            return result;
          },
          { step: 'initialize', name: 'demoPollerCapture' },
        );
        const served = recordedFetch(recordedDir, manifest);
        const poller = createPoller({
          config: { streamName: stream.streamName, symbols: Object.keys(manifest.symbols), cities, marketDataSecretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:demo-market-data', provider: manifest.provider, leaseTableName: latestTable.tableName },
          kinesis: pollerKinesis,
          doc: createDocumentClient(pollerDdb),
          secrets: { get: async () => JSON.stringify({ apiKey: 'recorded-responses-need-no-key' }), invalidate: () => undefined },
          fetch: served.fetch,
          now: () => new Date(manifest.clock),
          sleep: async () => undefined,
          random: () => 0.5,
          obs: quietObservability('poller'),
        });
        const summary = await poller({ source: 'demo' }, { awsRequestId: 'demo-poll-1' });
        produced += summary.written;
        progress(`poller (recorded ${manifest.provider} + open-meteo at ${manifest.clock}): ${summary.written} events from ${summary.requests} requests${summary.failed.length + summary.noData.length + summary.rateLimited.length > 0 ? `, problems: ${[...summary.failed, ...summary.noData, ...summary.rateLimited].map((r) => `${r.entity} ${r.reason}`).join('; ')}` : ''}`);
      }

      if (faults) {
        progress('faults: bad records, out-of-order ticks, then a poison record, straight into the stream …');
        invalid.push(...invalidRecords(replay.symbols[0] ?? 'DEMO'));
        await putDirect(invalid.map((r) => ({ partitionKey: r.partitionKey, data: r.data })));
        const base = Date.parse('2024-03-01T00:00:00.000Z');
        const order = [1, 0, 3, 2, 5, 4, 7, 6];
        const ooo = order.map((d) => ({ schemaVersion: 1, type: 'stock', symbol: OUT_OF_ORDER_SYMBOL, ts: new Date(base + d * 86_400_000).toISOString(), price: 50 + d, open: 50, high: 60, low: 40, prevClose: 50, volume: 100 + d, source: 'faults' }));
        await postBatch(ooo);
        extraValid.push(...ooo);
        // The poison record goes in last, once the consumers have caught up, so it is alone in
        // its batch: Lambda sends a failed batch from the failing record on to the on-failure
        // destination, and we want the on-failure queue to hold exactly the poison.
        await caughtUp(true);
        await postBatch([{ schemaVersion: 1, type: 'stock', symbol: POISON_SYMBOL, ts: '2024-03-01T00:00:00.000Z', price: 1, open: 1, high: 1, low: 1, prevClose: 1, volume: 1, source: 'faults' }]);
      }
    } catch (err) {
      producerError = err;
    } finally {
      producersDone = true;
    }
    await ingest.close();
    ingest = undefined;
    if (producerError) {
      kinesisDone = true;
      await loops.catch(() => undefined);
      throw producerError;
    }
    await loops;
    report(true);
    const pipelineMs = Math.max(1, (lastEnrichedWrite || Date.now()) - ingestStarted);

    // --- notifier (Slack answered locally) -----------------------------------------------------
    const slackPosts: string[] = [];
    if (published.length > 0) {
      const notifier = createNotifier({
        config: { slackWebhookSecretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:demo-slack' },
        secrets: { get: async () => JSON.stringify({ webhookUrl: 'https://hooks.slack.invalid/services/demo' }), invalidate: () => undefined },
        fetch: async (_url, init) => {
          const body = JSON.parse(String(init?.body ?? '{}')) as { text?: string };
          slackPosts.push(body.text ?? JSON.stringify(body));
          return new Response('ok', { status: 200 });
        },
        obs: quietObservability('notifier'),
      });
      const event: SNSEvent = {
        Records: published.map((p) => ({
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${p.topicArn}:demo`,
          Sns: {
            Type: 'Notification',
            MessageId: p.messageId,
            TopicArn: p.topicArn,
            Subject: p.subject,
            // SNS delivers the `lambda` body of a MessageStructure=json publish to a function.
            Message: (JSON.parse(p.message) as { lambda?: string; default: string }).lambda ?? (JSON.parse(p.message) as { default: string }).default,
            Timestamp: new Date().toISOString(),
            SignatureVersion: '1',
            Signature: '',
            SigningCertUrl: '',
            UnsubscribeUrl: '',
            MessageAttributes: {},
          },
        })),
      };
      await notifier(event);
    }

    // --- what landed where -----------------------------------------------------------------------
    checkAbort();
    const metricsItems = await scanAll(dynamo.doc, metricsTable.tableName);
    const latestItems = await scanAll(dynamo.doc, latestTable.tableName);
    const entityPk = /^(STOCK|WEATHER)#[^#]+$/;
    const tickItems = metricsItems.filter((i) => entityPk.test(String(i.pk)));
    const rawKeys = (await s3.listKeys(rawBucket, 'raw/')).filter((k) => k.endsWith('.json.gz'));
    const download = limiter(8);
    let rawLines = 0;
    await Promise.all(rawKeys.map((key) => download(async () => {
      const lines = gunzipSync(await s3.getBytes(rawBucket, key)).toString('utf8').split('\n').filter((l) => l !== '').length;
      rawLines += lines;
    })));
    const quarantineKeys = await s3.listKeys(rawBucket, 'quarantine/');
    const quarantine: { code: string; reason: string; partitionKey: string; data: string }[] = [];
    for (const key of quarantineKeys) {
      const q = JSON.parse((await s3.getBytes(rawBucket, key)).toString('utf8')) as { code: string; reason: string; partitionKey: string; data: string };
      quarantine.push({ code: q.code, reason: q.reason, partitionKey: q.partitionKey, data: q.data });
    }
    quarantine.sort((a, b) => (a.code + a.reason < b.code + b.reason ? -1 : 1));
    const processedKeys = (await s3.listKeys(processedBucket, 'processed/')).filter((k) => k.endsWith('.parquet'));
    const mirror = options.keep ? outDir : tmp;
    if (options.keep) await rm(path.join(outDir, 'processed'), { recursive: true, force: true }); // no stale files from an earlier --keep run
    await Promise.all(processedKeys.map((key) => download(async () => {
      const file = path.join(mirror, key);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, await s3.getBytes(processedBucket, key));
    })));
    const datasets = ['stocks', 'weather'];
    const proofQueries = [
      { name: 'proof-stocks', sql: 'SELECT symbol AS entity, strftime(ts, \'%Y-%m-%dT%H:%M:%S.%g\') AS ts, count(*) AS n FROM stocks GROUP BY ALL' },
      { name: 'proof-weather', sql: 'SELECT city AS entity, strftime(ts, \'%Y-%m-%dT%H:%M:%S.%g\') AS ts, count(*) AS n FROM weather GROUP BY ALL' },
    ];
    const queryResults = processedKeys.length > 0 ? await runNamedQueries(mirror, datasets, [...NAMED_QUERIES, ...proofQueries]) : [];
    const namedResults = queryResults.filter((q) => !q.name.startsWith('proof-'));
    const parquetCounts = new Map<string, number>();
    for (const q of queryResults.filter((r) => r.name.startsWith('proof-'))) {
      const kind = q.name === 'proof-stocks' ? 'STOCK' : 'WEATHER';
      // A dataset with no files has no view: "does not exist" is zero rows, anything else is a failure.
      if (q.error && !/does not exist/i.test(q.error)) throw new Error(`DuckDB ${q.name}: ${q.error}`);
      for (const row of q.rows) parquetCounts.set(`${kind}#${String(row.entity)}|${String(row.ts)}Z`, Number(row.n));
    }
    const parquetRows = [...parquetCounts.values()].reduce((a, b) => a + b, 0);

    // --- the proof ------------------------------------------------------------------------------
    const { proof, onFailure: explained } = proveDelivery({
      validEvents: [...replay.ticks, ...extraValid, ...pollerEvents],
      metricsTickKeys: tickItems.map((i) => `${String(i.pk)}|${String(i.ts)}`),
      parquetCounts,
      latestTs: new Map(latestItems.map((i) => [String(i.pk), i.ts === undefined ? undefined : String(i.ts)])),
      invalid,
      quarantined: quarantine,
      onFailure,
      poisonSymbol: POISON_SYMBOL,
    });

    // --- alerts file ------------------------------------------------------------------------------
    await mkdir(outDir, { recursive: true });
    const alertsFile = path.join(outDir, 'alerts.ndjson');
    await writeFile(alertsFile, alerts.map((a) => JSON.stringify({ rule: a.rule, entity: a.entity, ts: a.ts, values: a.values, message: a.message })).join('\n') + (alerts.length > 0 ? '\n' : ''));

    const sortedLatency = [...latencies].sort((a, b) => a - b);
    const recordsIn = produced;
    const injectedTotals: Record<string, number> = {};
    for (const f of faultStats) for (const [k, v] of Object.entries(f.injected)) injectedTotals[k] = (injectedTotals[k] ?? 0) + v;
    if (faults) injectedTotals['redelivered batches'] = redeliveries;

    const result: DemoResult = {
      recordsIn,
      replayTicks: replay.ticks,
      pollerEvents,
      ...(faults ? { faultRecords: { resent, invalid: invalid.length, 'out-of-order': extraValid.length, poison: 1 } } : {}),
      stores: {
        metricsItems: metricsItems.length,
        metricsTickItems: tickItems.length,
        metricsAggregateItems: metricsItems.length - tickItems.length,
        latestEntities: latestItems.filter((i) => entityPk.test(String(i.pk))).length,
        rawObjects: rawKeys.length,
        rawLines,
        processedObjects: processedKeys.length,
        parquetRows,
        quarantined: quarantine.length,
      },
      quarantine: quarantine.map((q) => ({ code: q.code, reason: q.reason })),
      alerts,
      alertsFile,
      slackPosts,
      onFailure: explained,
      esm: stats,
      handlerBusyMs: busyMs,
      queries: namedResults,
      latencyMs: { p50: percentile(sortedLatency, 50), p99: percentile(sortedLatency, 99), samples: sortedLatency.length },
      throughputPerSecond: (tickItems.length / pipelineMs) * 1000,
      elapsedMs: Date.now() - started,
      ...(faults ? { faults: injectedTotals } : {}),
      proof,
    };
    if (options.keep) await writeFile(path.join(outDir, 'summary.json'), JSON.stringify({ ...result, replayTicks: undefined, queries: undefined }, null, 2) + '\n');
    return result;
  } finally {
    if (ingest) await ingest.close().catch(() => undefined);
    for (const c of clients) c.destroy();
    for (const s of services.reverse()) await s.stop().catch((err: unknown) => print(`warning: stopping ${s.name} failed: ${(err as Error).message}`));
    await rm(tmp, { recursive: true, force: true });
  }
}
