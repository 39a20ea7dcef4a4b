/**
 * Phase 1: the local AWS services and the handlers wired to them.
 *
 * - kinesalite, dynalite and s3rver in child processes (emulators.ts), with the stream, tables
 *   and buckets of generated/ created in them;
 * - the handlers' DynamoDB and S3 clients, carrying what the demo observes or injects: the
 *   LatestTable stream capture (stream-capture.ts), the end-to-end latency and request counts
 *   for the dashboard, and with --faults the client-layer faults (faults.ts);
 * - the real enricher, aggregator and rules engine (`createHandler` of each), with SNS captured
 *   by a fake client.
 *
 * Every service and client is registered with the run's Cleanup as soon as it exists.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { createHandler as createAggregator } from '../../../handlers/aggregator/index';
import { createHandler as createEnricher, type KinesisHandler } from '../../../handlers/enricher/index';
import { createHandler as createRules, type RulesHandler } from '../../../handlers/rules/index';
import { createDocumentClient } from '../../../handlers/lib/dynamo';
import type { Observability } from '../../../handlers/lib/observability';
import type { DemoContext } from './context';
import { createBuckets, createStreams, createTables, startEmulator, type Emulator } from './emulators';
import { injectDynamoFaults, injectS3Faults, type FaultStats } from './faults';
import { listShardIds } from './kinesis-source';
import { fastS3Client, fixedEndpointConfig } from './local-clients';
import { createStreamCapture, type StreamCapture } from './stream-capture';
import { passesFilters } from './template-contracts';
import { Wakeup } from './wakeup';

/** The symbol whose writes always fail in a fault run (RELIABILITY 1's poison record). */
export const POISON_SYMBOL = 'POISON';

/**
 * DynamoDB Streams orders records per item and splits a table's stream into shards, each read
 * by its own batches (Lambda runs one invocation per shard at a time). Locally the derived stream
 * gets this many shards, by a hash of the item key: per-item order holds, and one slow batch
 * (an alert's marker writes) does not hold up every other entity.
 */
export const LATEST_STREAM_SHARDS = 4;

/** One shard of the LatestTable stream as the rules engine's mapping sees it: filtered records, in order, and a wakeup. */
export class StreamQueue {
  private records: DynamoDBRecord[] = [];
  private head = 0;
  readonly wakeup = new Wakeup();

  push(record: DynamoDBRecord): void {
    this.records.push(record);
    this.wakeup.notify();
  }

  /** Records waiting for the rules engine. */
  get depth(): number {
    return this.records.length - this.head;
  }

  /** The next `limit` records, oldest first. */
  take(limit: number): DynamoDBRecord[] {
    const out = this.records.slice(this.head, this.head + limit);
    this.head += out.length;
    if (this.head > 4096 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}

/** The derived LatestTable stream: its shards, and the records the mapping's filter dropped. */
export class LatestStream {
  readonly shards: readonly StreamQueue[];
  /** Records the mapping's FilterCriteria dropped (leases, alert markers). */
  filtered = 0;

  constructor(shardCount = LATEST_STREAM_SHARDS) {
    this.shards = Array.from({ length: shardCount }, () => new StreamQueue());
  }

  push(record: DynamoDBRecord): void {
    const key = JSON.stringify(record.dynamodb?.Keys ?? {});
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
    this.shards[Math.abs(hash) % this.shards.length]!.push(record);
  }

  get depth(): number {
    return this.shards.reduce((n, s) => n + s.depth, 0);
  }

  close(): void {
    for (const s of this.shards) s.wakeup.close();
  }
}

export interface Services {
  readonly endpoints: { readonly kinesis: string; readonly dynamodb: string; readonly s3: string };
  /** The emulator processes (their memory goes into the run's figures). */
  readonly emulators: readonly Emulator[];
  readonly shardIds: readonly string[];
  /** Producers' Kinesis client: every successful put wakes the consumers (`kinesisFeed`). */
  readonly kinesis: KinesisClient;
  /** Notified after every put to the stream; closed when the producers are done. */
  readonly kinesisFeed: Wakeup;
  /** Clean clients (no faults, no capture) for the query phase. */
  readonly readDynamo: DynamoDBClient;
  readonly readDoc: DynamoDBDocumentClient;
  readonly readS3: S3Client;
  /** For the poller (its LatestTable lease writes go through the same stream capture). */
  newDynamoClient(): DynamoDBClient;
  newKinesisClient(): KinesisClient;
  readonly capture: StreamCapture;
  readonly stream: LatestStream;
  readonly faultStats: readonly FaultStats[];
  readonly handlers: { readonly enricher: KinesisHandler; readonly aggregator: KinesisHandler; readonly rules: RulesHandler };
}

/** Handlers' observability for the demo: logs silent (DEBUG with --debug), metrics off, no tracing. */
export function quietObservability(serviceName: string, debug = false): Observability {
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true'; // read once by the constructor
  try {
    const logger = new Logger({ serviceName, logLevel: debug ? 'DEBUG' : 'SILENT' });
    return {
      logger,
      // Its own warnings ("No application metrics to publish") go to the same silent logger.
      metrics: new Metrics({ serviceName, namespace: 'StockWeatherDemo', logger }),
      tracer: new Tracer({ serviceName, enabled: false }),
    };
  } finally {
    if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
}

/** Counts each DynamoDB request per table and kind for the dashboard's "Consumed capacity" counterpart. */
function countRequests(client: DynamoDBClient, ctx: DemoContext, label: string): void {
  const writes = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
  const reads = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const input = args.input as { TableName?: string; RequestItems?: Record<string, unknown> };
      const table = input.TableName ?? Object.keys(input.RequestItems ?? {})[0] ?? '?';
      const kind = writes.has(command) ? 'write' : reads.has(command) ? 'read' : undefined;
      try {
        return await next(args);
      } catch (error) {
        if (/Throttl|ProvisionedThroughputExceeded/.test((error as Error).name)) ctx.state.timeline.count(`dynamodb.throttles.${table}`);
        throw error;
      } finally {
        if (kind) ctx.state.timeline.count(`dynamodb.${kind}s.${table}`);
      }
    },
    { step: 'initialize', priority: 'high', name: `demoRequestCount-${label}` },
  );
}

export async function startServices(ctx: DemoContext): Promise<Services> {
  const { facts, cleanup, state } = ctx;
  // Each emulator keeps its data on disk in a temp folder (s3rver its objects, dynalite and
  // kinesalite LevelDB), in a child process of its own (emulators.ts), so a long replay's tables,
  // stream and objects stay out of memory.
  const directories = await Promise.all(
    (['kinesalite', 'dynalite', 's3rver'] as const).map((kind) => mkdtemp(path.join(os.tmpdir(), `stockwx-demo-${kind}-`))),
  );
  for (const d of directories) cleanup.addDir(d);
  const started = await Promise.allSettled(
    (['kinesalite', 'dynalite', 's3rver'] as const).map((kind, i) => startEmulator(kind, { directory: directories[i]! })),
  );
  for (const r of started) {
    if (r.status !== 'fulfilled') continue;
    cleanup.addTask(r.value.kind, () => r.value.stop());
    cleanup.addKill(r.value.killSync);
  }
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw new Error(`could not start the local services: ${((failed as PromiseRejectedResult).reason as Error).message}`);
  const [kinesalite, dynalite, s3rver] = started.map((r) => (r as PromiseFulfilledResult<Emulator>).value) as [Emulator, Emulator, Emulator];
  ctx.checkAbort();
  // Memory of each thread, sampled every second for the run's figures (a display, not a wait).
  const memoryTimer = setInterval(() => {
    const now = Date.now();
    state.timeline.sample('memory.heapMiB.main', process.memoryUsage().heapUsed / 1048576, now);
    state.timeline.sample('memory.rssMiB', process.memoryUsage().rss / 1048576, now);
    for (const e of [kinesalite, dynalite, s3rver]) {
      void e.memory().then((m) => {
        state.timeline.sample(`memory.heapMiB.${e.kind}`, m.heapUsed / 1048576, now);
        state.timeline.sample(`memory.rssMiB.${e.kind}`, m.rss / 1048576, now);
      });
    }
  }, 1000);
  memoryTimer.unref();
  cleanup.addTask('memory sampling', async () => clearInterval(memoryTimer));

  const clients: { destroy(): void }[] = [];
  cleanup.addTask('clients', async () => {
    for (const c of clients.splice(0)) c.destroy();
  });
  const track = <C extends { destroy(): void }>(c: C): C => {
    clients.push(c);
    return c;
  };

  const readS3 = track(fastS3Client(s3rver.endpoint));
  await Promise.all([
    createStreams(
      kinesalite.endpoint,
      facts.resources.streams.map((s) => ({ streamName: s.streamName, shardCount: s.shardCount })),
    ),
    createTables(
      dynalite.endpoint,
      facts.resources.tables.map((t) => ({
        TableName: t.tableName,
        KeySchema: t.keySchema,
        AttributeDefinitions: t.attributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST' as const,
      })),
    ),
    createBuckets(
      readS3,
      facts.resources.buckets.map((b) => b.bucketName),
    ),
  ]);
  ctx.checkAbort();

  // --- the LatestTable stream -------------------------------------------------------------
  const stream = new LatestStream();
  const capture = createStreamCapture({
    tableName: facts.latestTable.tableName,
    keyAttributes: facts.latestTable.keySchema.map((k) => k.AttributeName),
    // Created empty above, and every client writing it (handlers, poller) has the capture attached.
    tableStartsEmpty: true,
    onRecord: (record) => {
      // Lambda applies the mapping's FilterCriteria before batching: dropped records never reach the function.
      if (!passesFilters(facts.mappings.rules, record)) {
        stream.filtered += 1;
        return;
      }
      stream.push(record);
    },
  });

  // --- the handlers' clients ----------------------------------------------------------------
  const handlerDdb = track(new DynamoDBClient(fixedEndpointConfig(dynalite.endpoint)));
  const handlerS3 = track(fastS3Client(s3rver.endpoint));
  const faultStats: FaultStats[] = [];
  if (ctx.faults) {
    faultStats.push(injectDynamoFaults(handlerDdb, { every: 5, poisonPks: [`STOCK#${POISON_SYMBOL}`] }));
    faultStats.push(injectS3Faults(handlerS3, { every: 4 }));
  }
  capture.attach(handlerDdb);
  countRequests(handlerDdb, ctx, 'handlers');
  // End-to-end latency: arrival in Kinesis (the item's ingestTs) → its MetricsTable write succeeded.
  handlerDdb.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { TableName?: string; Item?: Record<string, AttributeValue> };
      if (context.commandName === 'PutItemCommand' && input.TableName === facts.metricsTable.tableName) {
        const ingestTs = input.Item?.ingestTs?.S;
        if (ingestTs) {
          const now = Date.now();
          state.lastEnrichedWrite = now;
          state.timeline.sample('latency.endToEnd', now - Date.parse(ingestTs), now);
        }
      }
      return result;
    },
    { step: 'build', name: 'demoLatency' },
  );
  handlerS3.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } finally {
        if (context.commandName === 'PutObjectCommand') state.timeline.count(`s3.puts.${(args.input as { Bucket?: string }).Bucket ?? '?'}`);
      }
    },
    { step: 'initialize', name: 'demoS3Count' },
  );
  const doc = createDocumentClient(handlerDdb);

  const config = { metricsTableName: facts.metricsTable.tableName, latestTableName: facts.latestTable.tableName };
  const debug = ctx.options.debug ?? false;
  const enricher = createEnricher({
    doc,
    s3: handlerS3,
    config: { ...config, rawBucketName: facts.rawBucket, processedBucketName: facts.processedBucket },
    observability: quietObservability('enricher', debug),
  });
  const aggregator = createAggregator({ doc, config, observability: quietObservability('aggregator', debug) });
  const fakeSns = {
    send: async (command: { input: { TopicArn?: string; Subject?: string; Message?: string } }) => {
      const messageId = `local-${String(state.published.length + 1).padStart(6, '0')}`;
      state.published.push({ topicArn: command.input.TopicArn ?? '', messageId, subject: command.input.Subject ?? '', message: command.input.Message ?? '' });
      state.timeline.count(`sns.published.${(command.input.TopicArn ?? '').split(':').pop()}`);
      return { MessageId: messageId, $metadata: {} };
    },
  } as unknown as SNSClient;
  const rules = createRules({
    config: {
      latestTableName: facts.latestTable.tableName,
      marketAlertsTopicArn: `arn:aws:sns:us-east-1:000000000000:${facts.names.NamePrefix}-market-alerts`,
      weatherAlertsTopicArn: `arn:aws:sns:us-east-1:000000000000:${facts.names.NamePrefix}-weather-alerts`,
      thresholds: facts.thresholds,
    },
    doc,
    sns: fakeSns,
    obs: quietObservability('rules', debug),
    onAlert: (alert) => {
      state.alerts.push(alert);
      if (!ctx.options.quiet) ctx.progress.log(`  ALERT ${alert.rule} ${alert.entity} ${alert.ts}`);
    },
  });

  // --- producers' and readers' clients ------------------------------------------------------
  const kinesisFeed = new Wakeup();
  const newKinesisClient = (): KinesisClient => {
    const client = track(new KinesisClient(fixedEndpointConfig(kinesalite.endpoint)));
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'PutRecordsCommand' || context.commandName === 'PutRecordCommand') {
          const n = context.commandName === 'PutRecordsCommand' ? (args.input as { Records: unknown[] }).Records.length : 1;
          state.timeline.count('kinesis.incoming', n);
          kinesisFeed.notify();
        }
        return result;
      },
      { step: 'initialize', name: 'demoKinesisFeed' },
    );
    return client;
  };
  const kinesis = newKinesisClient();
  const readDynamo = track(new DynamoDBClient(fixedEndpointConfig(dynalite.endpoint)));
  const newDynamoClient = (): DynamoDBClient => {
    const client = track(new DynamoDBClient(fixedEndpointConfig(dynalite.endpoint)));
    capture.attach(client);
    countRequests(client, ctx, `extra-${clients.length}`);
    return client;
  };
  const shardIds = await listShardIds(kinesis, facts.stream.streamName);
  return {
    endpoints: { kinesis: kinesalite.endpoint, dynamodb: dynalite.endpoint, s3: s3rver.endpoint },
    emulators: [kinesalite, dynalite, s3rver],
    shardIds,
    kinesis,
    kinesisFeed,
    readDynamo,
    readDoc: createDocumentClient(readDynamo),
    readS3,
    newDynamoClient,
    newKinesisClient,
    capture,
    stream,
    faultStats,
    handlers: { enricher, aggregator, rules },
  };
}
