/**
 * Aggregator (Kinesis → MetricsTable rows + aggregator-owned LatestTable attributes).
 * Wiring only; the state machine is core.ts. Per entity in a batch:
 * 1. read the rolling state from LatestTable (consistent read);
 * 2. apply the entity's ticks in arrival order (duplicates and older ticks skipped);
 * 3. BatchWrite the derived MetricsTable rows (pure functions of state + tick: rewriting is a no-op);
 * 4. one conditional LatestTable update per applied tick (`smaTs` must still be the previous
 *    tick's), so the LatestTable stream shows every SMA step and the rules engine sees every cross.
 * A failure at tick k fails that entity's records from k on (in arrival order); earlier ones are
 * done. Records the enricher quarantines are skipped here (no-op success).
 *
 * Environment (all required): METRICS_TABLE_NAME, LATEST_TABLE_NAME, MAX_CLOCK_SKEW_SECONDS; locally AWS_ENDPOINT_URL_DYNAMODB (or
 * AWS_ENDPOINT_URL), read by the SDK itself.
 */
import type { Context, KinesisStreamRecord } from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, createDocumentClient, getByPk, updateIfVersion, type BatchWriteOptions } from '../lib/dynamo';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS } from '../../contracts/values';
import { decodeRecord } from '../lib/decode';
import { kinesisRecords } from '../lib/events';
import { entityKey } from '../lib/contracts';
import { requireEnv, requireNumberEnv } from '../lib/env';
import { PartialWriteError } from '../lib/errors';
import { limiter } from '../lib/limit';
import { observability, type Observability } from '../lib/observability';
import type { KinesisHandler } from '../enricher/index';
import { applyTicks, metricsRows, stateFromItem, type AggregatorTick } from './core';

export interface AggregatorConfig {
  readonly metricsTableName: string;
  readonly latestTableName: string;
  /** MetricsTable aggregate rows expire this many days after their tick. @default 30 */
  readonly ttlDays?: number;
  /** Ticks further ahead of their Kinesis arrival are skipped (the enricher quarantines them). @default DEFAULT_MAX_CLOCK_SKEW_SECONDS */
  readonly maxClockSkewSeconds?: number;
  /** Entities processed at once. @default 16 */
  readonly concurrency?: number;
  /** UnprocessedItems retry policy. @default batchWriteAll's defaults */
  readonly batchWrite?: BatchWriteOptions;
}

export interface AggregatorDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly config: AggregatorConfig;
  /** @default observability('aggregator') */
  readonly observability?: Observability;
  /**
   * Called with the LatestTable item after each applied tick (ALL_NEW image): one call per SMA
   * step, in order. For local runs without DynamoDB Streams (see enricher/index.ts). @default none
   */
  readonly onLatestWrite?: (newImage: Record<string, unknown>) => void | Promise<void>;
}

export type { KinesisHandler };

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AggregatorConfig {
  return {
    metricsTableName: requireEnv('METRICS_TABLE_NAME', env),
    latestTableName: requireEnv('LATEST_TABLE_NAME', env),
    maxClockSkewSeconds: requireNumberEnv('MAX_CLOCK_SKEW_SECONDS', env),
  };
}

/**
 * Valid records → ticks grouped by entity, in arrival order. Invalid records (the enricher
 * quarantines them, `future-timestamp` included: the same decodeRecord check) are not ours to judge.
 */
export function ticksByEntity(records: readonly KinesisStreamRecord[], maxClockSkewSeconds = DEFAULT_MAX_CLOCK_SKEW_SECONDS): Map<string, AggregatorTick[]> {
  const groups = new Map<string, AggregatorTick[]>();
  for (const record of records) {
    const decoded = decodeRecord(record, { maxSkewMs: maxClockSkewSeconds * 1000 });
    if (!decoded.ok) continue;
    const e = decoded.event;
    const pk = entityKey(e);
    const tick: AggregatorTick = {
      pk,
      type: e.type,
      ts: new Date(Date.parse(e.ts)).toISOString(),
      value: e.type === 'stock' ? e.price : e.tempC,
      sequenceNumber: record.kinesis.sequenceNumber,
    };
    let list = groups.get(pk);
    if (!list) groups.set(pk, (list = []));
    list.push(tick);
  }
  return groups;
}

export function createHandler(deps: AggregatorDeps): KinesisHandler {
  const { doc, config } = deps;
  const { logger, metrics } = deps.observability ?? observability('aggregator');
  const limit = limiter(config.concurrency ?? 16);

  /** Processes one entity; resolves to the sequence numbers that must be retried. */
  async function processEntity(pk: string, ticks: readonly AggregatorTick[]): Promise<Map<string, Error>> {
    const failed = new Map<string, Error>();
    const failFrom = (index: number, err: Error): void => {
      for (const t of ticks.slice(index)) failed.set(t.sequenceNumber, err);
    };
    let result;
    try {
      const state = stateFromItem(await getByPk(doc, config.latestTableName, pk));
      result = applyTicks(state, ticks);
      await batchWriteAll(doc, config.metricsTableName, metricsRows(result.steps, config.ttlDays), config.batchWrite);
    } catch (err) {
      failFrom(0, err as Error);
      return failed;
    }
    if (result.skipped.length > 0) metrics.addMetric('TicksSkipped', MetricUnit.Count, result.skipped.length);
    for (const s of result.steps) {
      try {
        const { smaTs: _smaTs, ...attributes } = s.state;
        const outcome = await updateIfVersion(
          doc,
          config.latestTableName,
          pk,
          'smaTs',
          s.previousSmaTs,
          s.tick.ts,
          { ...attributes, type: s.tick.type },
          deps.onLatestWrite,
        );
        if (outcome === 'conflict') {
          throw new PartialWriteError(
            `LatestTable ${pk}: smaTs moved past ${String(s.previousSmaTs)} while applying ${s.tick.ts} (a concurrent aggregator run); the tick will be retried and re-judged`,
          );
        }
      } catch (err) {
        failFrom(ticks.indexOf(s.tick), err as Error);
        break;
      }
    }
    return failed;
  }

  return async (event, context) => {
    const groups = ticksByEntity(kinesisRecords(event, 'aggregator'), config.maxClockSkewSeconds);
    const work = new Map<string, Promise<Map<string, Error>>>();
    const entityOf = new Map<string, string>();
    for (const [pk, ticks] of groups) for (const t of ticks) entityOf.set(t.sequenceNumber, pk);
    const recordHandler = async (record: KinesisStreamRecord): Promise<void> => {
      const pk = entityOf.get(record.kinesis.sequenceNumber);
      if (pk === undefined) return; // invalid: quarantined by the enricher
      let w = work.get(pk);
      if (!w) work.set(pk, (w = limit(() => processEntity(pk, groups.get(pk)!))));
      const err = (await w).get(record.kinesis.sequenceNumber);
      if (err) throw err;
    };
    const processor = new BatchProcessor(EventType.KinesisDataStreams); // per invocation: see enricher/index.ts
    metrics.addMetric('RecordsReceived', MetricUnit.Count, event.Records.length);
    try {
      const response = await processPartialResponse(event, recordHandler, processor, { context: context as Context });
      if (response.batchItemFailures.length > 0) logger.warn('records will be retried', { failed: response.batchItemFailures.map((f) => f.itemIdentifier) });
      return response;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

let cached: KinesisHandler | undefined;

/** The Lambda entry point: client and config created on the first invocation and reused. */
export const handler: KinesisHandler = (event, context) => {
  if (!cached) {
    const obs = observability('aggregator');
    cached = createHandler({ doc: createDocumentClient(obs.tracer.captureAWSv3Client(new DynamoDBClient({}))), config: configFromEnv(), observability: obs });
  }
  return cached(event, context);
};
