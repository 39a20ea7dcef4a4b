/**
 * Validator/enricher (Kinesis → MetricsTable, LatestTable, raw zone, processed zone).
 * Wiring only: the decisions live in core.ts. Failure contract (RELIABILITY 1–6):
 * - bad data (base64, JSON, schema, size, a `ts` too far ahead of arrival) → quarantine object,
 *   record reported done;
 * - a malformed event (no `Records`, a record without `kinesis`) → MalformedEventError, nothing written;
 * - transient faults (DynamoDB, S3) → the record is a `batchItemFailure` and comes back;
 * - raw/processed objects hold only the committed prefix (core.ts decision table); if writing
 *   them fails, the whole batch is reported failed and the retry overwrites the same keys.
 *
 * Environment (all required): METRICS_TABLE_NAME, LATEST_TABLE_NAME, RAW_BUCKET_NAME (also holds
 * `quarantine/…`), PROCESSED_BUCKET_NAME, MAX_CLOCK_SKEW_SECONDS (a tick further ahead of its
 * arrival is quarantined as `future-timestamp`). Local runs may set the SDK's own
 * AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL); an S3 override also
 * turns on path-style addressing (see handlers/lib/s3.ts).
 */
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, putIfAbsent, updateIfNewer } from '../lib/dynamo';
import { requireEnv, requireNumberEnv } from '../lib/env';
import { PartialWriteError } from '../lib/errors';
import { kinesisRecords } from '../lib/events';
import { limiter } from '../lib/limit';
import { observability, type Observability } from '../lib/observability';
import { stocksToParquet, weatherToParquet } from '../lib/parquet';
import { createS3Client, putParquet, putQuarantine, putRawNdjson } from '../lib/s3';
import { committedPrefixLength, latestAttributes, metricsItem, planBatch, zoneObjects, type PlanOptions, type PlannedRecord, type ValidRecord } from './core';

export interface EnricherConfig extends PlanOptions {
  readonly metricsTableName: string;
  readonly latestTableName: string;
  /** Raw zone; quarantine objects go under `quarantine/` in the same bucket. */
  readonly rawBucketName: string;
  readonly processedBucketName: string;
  /** Records written to DynamoDB/S3 at once. @default 32 */
  readonly concurrency?: number;
}

export interface EnricherDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly config: EnricherConfig;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default observability('enricher') */
  readonly observability?: Observability;
  /**
   * Called with the LatestTable item after each successful enricher write (ALL_NEW image).
   * For local runs without DynamoDB Streams: the demo derives the rules engine's stream records
   * from these (the previous image is the previous call's for the same pk). @default none
   */
  readonly onLatestWrite?: (newImage: Record<string, unknown>) => void | Promise<void>;
}

export type KinesisHandler = (event: KinesisStreamEvent, context?: Context) => Promise<KinesisStreamBatchResponse>;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): EnricherConfig {
  return {
    metricsTableName: requireEnv('METRICS_TABLE_NAME', env),
    latestTableName: requireEnv('LATEST_TABLE_NAME', env),
    rawBucketName: requireEnv('RAW_BUCKET_NAME', env),
    processedBucketName: requireEnv('PROCESSED_BUCKET_NAME', env),
    maxClockSkewSeconds: requireNumberEnv('MAX_CLOCK_SKEW_SECONDS', env),
  };
}

export function createHandler(deps: EnricherDeps): KinesisHandler {
  const { doc, s3, config } = deps;
  const now = deps.now ?? (() => new Date());
  const { logger, metrics } = deps.observability ?? observability('enricher');
  const limit = limiter(config.concurrency ?? 32);

  async function writeRecord(p: PlannedRecord, producerDuplicates: Set<string>, latestTurns: Map<string, Promise<void>>): Promise<void> {
    if (p.kind === 'quarantine') {
      await putQuarantine(s3, config.rawBucketName, p.key, p.object);
      logger.warn('record quarantined', { code: p.code, reason: p.object.reason, key: p.key });
      metrics.addMetric(`Quarantined-${p.code}`, MetricUnit.Count, 1);
      return;
    }
    // Every tick moves LatestTable, one at a time per entity in arrival order, so its stream shows
    // each tick and the rules engine judges each one (a drop on a tick that is not the batch's
    // newest would otherwise never be seen). Taken before any await: call order = arrival order.
    const pk = p.enriched.pk;
    const turn = latestTurns.get(pk) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    latestTurns.set(
      pk,
      turn.then(() => mine),
    );
    try {
      await writeValid(p, turn, producerDuplicates);
    } finally {
      release();
    }
  }

  async function writeValid(p: ValidRecord, turn: Promise<void>, producerDuplicates: Set<string>): Promise<void> {
    const e = p.enriched;
    const metricsResult = await putIfAbsent(doc, config.metricsTableName, metricsItem(e, config.ttlDays));
    if (metricsResult === 'duplicate') {
      metrics.addMetric('DuplicateRecords', MetricUnit.Count, 1);
      // Same sequence number: our own redelivery (keep the row, the batch's keys are rewritten).
      // Another one: a producer resend, whose row belongs to the record that wrote the item.
      const stored = await doc.send(
        new GetCommand({ TableName: config.metricsTableName, Key: { pk: e.pk, ts: e.ts }, ConsistentRead: true, ProjectionExpression: 'sequenceNumber' }),
      );
      if (stored.Item?.sequenceNumber !== e.sequenceNumber) producerDuplicates.add(p.sequenceNumber);
    }
    await turn;
    const latest = await updateIfNewer(doc, config.latestTableName, e.pk, e.ts, latestAttributes(e), { onWritten: deps.onLatestWrite });
    if (latest === 'stale') metrics.addMetric('StaleLatestSkipped', MetricUnit.Count, 1);
  }

  return async (event, context) => {
    const plan = planBatch(kinesisRecords(event, 'enricher'), now(), config);
    const bySequence = new Map(plan.records.map((p) => [p.sequenceNumber, p]));
    const producerDuplicates = new Set<string>();
    const latestTurns = new Map<string, Promise<void>>();
    const recordHandler = (record: KinesisStreamRecord): Promise<void> =>
      limit(() => writeRecord(bySequence.get(record.kinesis.sequenceNumber)!, producerDuplicates, latestTurns));
    // One processor per invocation: its state is per batch, and the local demo may drive several
    // shards through the same handler concurrently.
    const processor = new BatchProcessor(EventType.KinesisDataStreams);
    metrics.addMetric('RecordsReceived', MetricUnit.Count, event.Records.length);
    try {
      const response = await processPartialResponse(event, recordHandler, processor, { context: context as Context });
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      const committed = committedPrefixLength(plan, failed);
      try {
        await writeZones(plan, committed, producerDuplicates);
      } catch (err) {
        if (!(err instanceof PartialWriteError)) throw err;
        logger.error('raw/processed write failed; reporting the whole batch for retry (same keys, overwritten)', { error: err.message });
        return { batchItemFailures: plan.records.map((p) => ({ itemIdentifier: p.sequenceNumber })) };
      }
      metrics.addMetric('RecordsCommitted', MetricUnit.Count, committed);
      if (failed.size > 0) logger.warn('records will be retried', { failed: [...failed] });
      return response;
    } finally {
      metrics.publishStoredMetrics();
    }
  };

  async function writeZones(plan: ReturnType<typeof planBatch>, committed: number, producerDuplicates: ReadonlySet<string>): Promise<void> {
    const { raw, processed } = zoneObjects(plan, committed, producerDuplicates);
    await Promise.all([
      ...raw.map((o) => putRawNdjson(s3, config.rawBucketName, o.key, o.lines)),
      ...processed.map((o) => putParquet(s3, config.processedBucketName, o.key, o.dataset === 'stocks' ? stocksToParquet(o.rows) : weatherToParquet(o.rows))),
    ]);
  }
}

let cached: KinesisHandler | undefined;

/** The Lambda entry point: clients and config are created on the first invocation and reused. */
export const handler: KinesisHandler = (event, context) => {
  if (!cached) {
    const obs = observability('enricher');
    const doc = createDocumentClient(obs.tracer.captureAWSv3Client(new DynamoDBClient({})));
    const s3 = obs.tracer.captureAWSv3Client(createS3Client());
    cached = createHandler({ doc, s3, config: configFromEnv(), observability: obs });
  }
  return cached(event, context);
};
