/**
 * Phase 3 (running while the producers write): the event-source mappings of compute.yaml, as
 * Lambda runs them, driving the real handlers.
 *
 * - Enricher and aggregator: one loop per Kinesis shard each (two mappings on one stream), reading
 *   with GetRecords in shard order and invoking with up to the mapping's BatchSize records.
 * - Rules engine: one loop per shard of the LatestTable stream the capture derives
 *   (start-services.ts), with the mapping's FilterCriteria applied before batching.
 *
 * Batching, as Lambda does it (MaximumBatchingWindowInSeconds): a batch is invoked when it is
 * full, when the window that opened with its first record has passed, or — locally only — when
 * the producers are done and the source is drained (Lambda would wait out the window; nothing
 * else can arrive, so waiting would only add idle time). Nothing polls: an empty read waits for
 * the source's next notification or the end of the window (wakeup.ts).
 *
 * Each batch goes through drainShard (event-source.ts): partial batch responses, bisect on
 * error, bounded retries, record age and the on-failure destination, as the mapping says.
 * Per-shard order is kept (one batch per shard at a time). Not applied: ParallelizationFactor
 * (its sub-batches keep per-key order too; on one Node thread they would only interleave).
 */
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { corruptBase64 } from './faults';
import { drainShard } from './event-source';
import { addStats, type DemoContext, type KinesisConsumerName } from './context';
import { openShard, toLambdaRecord } from './kinesis-source';
import type { Services, StreamQueue } from './start-services';
import type { EventSourceMappingSettings } from './template-contracts';
import type { Wakeup } from './wakeup';

/** A source of one shard's records, in order. */
export interface Source<R> {
  /** Up to `limit` records; none when there is nothing right now. */
  read(limit: number): Promise<R[]>;
  /** Notified when records may have arrived; closed when no more will. */
  readonly wakeup: Wakeup;
}

export interface Consumers {
  /** Resolves when every mapping drained its source after the producers closed it; rejects on the first loop error. */
  readonly done: Promise<void>;
}

/**
 * One mapping on one source: hands `invokeBatch` up to BatchSize records at a time, in order,
 * when the batch is full, its window has passed, or the source is closed and drained.
 */
export async function runMapping<R>(
  ctx: Pick<DemoContext, 'checkAbort' | 'signal'>,
  settings: Pick<EventSourceMappingSettings, 'batchSize' | 'maximumBatchingWindowInSeconds'>,
  source: Source<R>,
  invokeBatch: (batch: R[]) => Promise<void>,
): Promise<void> {
  const windowMs = settings.maximumBatchingWindowInSeconds * 1000;
  const buffer: R[] = [];
  let windowEnds: number | undefined;
  for (;;) {
    ctx.checkAbort();
    const seen = source.wakeup.version;
    const closed = source.wakeup.closed;
    const got = buffer.length < settings.batchSize ? await source.read(settings.batchSize - buffer.length) : [];
    if (got.length > 0) {
      buffer.push(...got);
      windowEnds ??= Date.now() + windowMs;
    }
    const drained = got.length === 0 && closed;
    if (buffer.length > 0 && (buffer.length >= settings.batchSize || drained || Date.now() >= windowEnds!)) {
      const batch = buffer.splice(0, settings.batchSize);
      windowEnds = buffer.length > 0 ? Date.now() + windowMs : undefined;
      await invokeBatch(batch);
      continue;
    }
    if (drained) return;
    if (got.length === 0) await source.wakeup.changedSince(seen, windowEnds, ctx.signal);
  }
}

/** The timed handler call, with its dashboard counters. */
async function timed<T>(ctx: DemoContext, name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  ctx.state.timeline.count(`lambda.invocations.${name}`, 1, t0);
  try {
    const out = await fn();
    if ((out as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length) ctx.state.timeline.count(`lambda.errors.${name}`);
    return out;
  } catch (error) {
    ctx.state.timeline.count(`lambda.errors.${name}`);
    throw error;
  } finally {
    const ms = Date.now() - t0;
    ctx.state.busyMs[name] = (ctx.state.busyMs[name] ?? 0) + ms;
    ctx.state.timeline.sample(`lambda.duration.${name}`, ms);
  }
}

export function startConsumers(ctx: DemoContext, services: Services): Consumers {
  const { facts, state } = ctx;
  const streamName = facts.stream.streamName;
  let invocationCount = 0;
  let redeliveries = 0;

  const kinesisLoop = async (name: KinesisConsumerName, shardId: string): Promise<void> => {
    const settings = facts.mappings[name];
    const handler = services.handlers[name];
    const reader = await openShard(services.kinesis, streamName, shardId);
    const source: Source<KinesisStreamRecord> = {
      read: async (limit) => (await reader.read(limit)).map((r) => toLambdaRecord(r, { streamName, shardId })),
      wakeup: services.kinesisFeed,
    };
    await runMapping(ctx, settings, source, async (batch) => {
      // Lambda's IteratorAge: how old the newest record of the batch is when it is handed over.
      const newest = batch[batch.length - 1]!.kinesis.approximateArrivalTimestamp * 1000;
      state.timeline.sample(`kinesis.iteratorAge.${name}`, Math.max(0, Date.now() - newest));
      const s = await drainShard(batch, {
        config: settings,
        invoke: (records) =>
          timed(ctx, name, async () => {
            const event = { Records: records.map((r) => (ctx.faults ? corruptBase64(r) : r)) };
            invocationCount += 1;
            // --faults: every 4th invocation is delivered twice, as after a lost response (at-least-once).
            if (ctx.faults && invocationCount % 4 === 0) {
              redeliveries += 1;
              await handler(event);
            }
            return handler(event);
          }),
        sequenceNumber: (r) => r.kinesis.sequenceNumber,
        arrivalMs: (r) => r.kinesis.approximateArrivalTimestamp * 1000,
        onFailure: async (failed) => {
          state.onFailure.push({
            consumer: name,
            condition: failed.condition,
            keys: failed.records.map((r) => `${r.kinesis.partitionKey}@${r.kinesis.sequenceNumber}`),
            attempts: failed.attempts,
            ...(failed.lastError ? { lastError: failed.lastError } : {}),
          });
          state.timeline.count(`dlq.${name}`, failed.records.length);
        },
      });
      addStats(state, name, s);
      state.consumed[name].add(batch.length);
      ctx.progress.update({
        done: Math.min(state.consumed.enricher.value, state.consumed.aggregator.value),
        total: Math.max(ctx.replay.ticks.length, state.produced.value),
        alerts: state.alerts.length,
      });
    });
  };

  const rulesLoop = async (shard: StreamQueue): Promise<void> => {
    const settings = facts.mappings.rules;
    const source: Source<DynamoDBRecord> = {
      read: async (limit) => shard.take(limit),
      wakeup: shard.wakeup,
    };
    await runMapping(ctx, settings, source, async (batch) => {
      state.timeline.sample('stream.waiting.rules', services.stream.depth);
      const s = await drainShard(batch, {
        config: settings,
        invoke: (records) => timed(ctx, 'rules', () => services.handlers.rules({ Records: [...records] })),
        sequenceNumber: (r) => r.dynamodb?.SequenceNumber ?? '',
        arrivalMs: (r) => (r.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000,
        onFailure: async (failed) => {
          state.onFailure.push({
            consumer: 'rules',
            condition: failed.condition,
            keys: failed.records.map((r) => `${r.dynamodb?.Keys?.pk?.S ?? '?'}@${r.dynamodb?.SequenceNumber ?? ''}`),
            attempts: failed.attempts,
            ...(failed.lastError ? { lastError: failed.lastError } : {}),
          });
          state.timeline.count('dlq.rules', failed.records.length);
        },
      });
      addStats(state, 'rules', s);
    });
  };

  const fail = (error: unknown): never => {
    state.failure ??= error;
    // Wake every waiting phase so it sees the failure instead of waiting for records that will not come.
    services.kinesisFeed.close();
    services.stream.close();
    state.produced.poke();
    state.consumed.enricher.poke();
    state.consumed.aggregator.poke();
    throw error;
  };
  const kinesisLoops = Promise.all((['enricher', 'aggregator'] as const).flatMap((name) => services.shardIds.map((shard) => kinesisLoop(name, shard))))
    // The LatestTable stream ends once the Kinesis consumers (its only entity writers) are done.
    .then(() => services.stream.close())
    .catch(fail);
  const rules = Promise.all(services.stream.shards.map(rulesLoop)).catch(fail);
  const done = Promise.all([kinesisLoops, rules]).then(() => {
    if (ctx.faults) state.redeliveries = redeliveries;
  });
  done.catch(() => undefined); // observed by the caller; keeps an early failure from being "unhandled"
  return { done };
}
