/**
 * A local event-source mapping: feeds one shard's records to a handler with Lambda's batch and
 * failure semantics for Kinesis and DynamoDB Streams, so the demo and the tests exercise the real
 * handler code under the same contract as in AWS (DESIGN §5, RELIABILITY cases 1–4).
 *
 * Decision table for one batch (what Lambda does, and so what this does):
 *
 * | handler outcome                          | ReportBatchItemFailures | Bisect | next step                                              |
 * | ---------------------------------------- | ----------------------- | ------ | ------------------------------------------------------ |
 * | returns no failures                      | any                     | any    | checkpoint the whole batch                              |
 * | returns failures (lowest seq = k)        | on                      | any    | checkpoint before k; retry from k (counts one retry)   |
 * | returns failures                         | off                     | any    | ignored: Lambda treats the batch as successful          |
 * | returns an unknown itemIdentifier        | on                      | any    | whole batch failed (Lambda's rule), retry               |
 * | throws                                   | any                     | on     | split in two, each half processed on its own (no retry count) |
 * | throws, batch of one or bisect off       | any                     | any    | retry the same batch (counts one retry)                 |
 * | retries > MaximumRetryAttempts           | any                     | any    | send the batch's info to the on-failure destination, skip it |
 * | a record older than MaximumRecordAgeInSeconds at invoke time | any | any | sent to the on-failure destination, skipped          |
 *
 * Time is injected (`now`) so record age can be tested without waiting.
 */

export interface EventSourceConfig {
  /** Records per invocation. @default 100 */
  readonly batchSize?: number;
  readonly reportBatchItemFailures: boolean;
  readonly bisectBatchOnFunctionError: boolean;
  /** Retries after the first attempt; -1 means infinite (Lambda's default), which this refuses. */
  readonly maximumRetryAttempts: number;
  /** Records older than this are not retried. @default 604800 (7 days) */
  readonly maximumRecordAgeInSeconds?: number;
}

export interface BatchItemFailures {
  readonly batchItemFailures?: readonly { readonly itemIdentifier: string }[];
}

/** What the on-failure destination receives (the shape Lambda's SQS record carries, reduced). */
export interface FailedBatch<R> {
  readonly condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  readonly records: readonly R[];
  readonly lastError?: string;
  readonly attempts: number;
}

export interface EventSourceStats {
  invocations: number;
  retries: number;
  bisections: number;
  recordsDelivered: number;
  recordsCheckpointed: number;
  recordsToOnFailure: number;
}

export interface ShardDriver<R> {
  readonly config: EventSourceConfig;
  /** Invokes the function with a batch (build the Lambda event from the records inside). */
  readonly invoke: (records: readonly R[]) => Promise<BatchItemFailures | undefined>;
  readonly sequenceNumber: (record: R) => string;
  /** Arrival time of the record in ms since the epoch. */
  readonly arrivalMs: (record: R) => number;
  readonly onFailure: (failed: FailedBatch<R>) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

export class EventSourceConfigError extends Error {
  override readonly name = 'EventSourceConfigError';
}

/** Processes records of one shard in order, to completion, and returns what happened. */
export async function drainShard<R>(records: readonly R[], driver: ShardDriver<R>): Promise<EventSourceStats> {
  const { config } = driver;
  const batchSize = config.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new EventSourceConfigError(`batchSize must be a positive integer (got ${batchSize})`);
  if (config.maximumRetryAttempts < 0) {
    throw new EventSourceConfigError(
      `maximumRetryAttempts must be finite (got ${config.maximumRetryAttempts}): infinite retries block the shard behind one poison record`,
    );
  }
  const now = driver.now ?? Date.now;
  const maxAgeMs = (config.maximumRecordAgeInSeconds ?? 604800) * 1000;
  const stats: EventSourceStats = { invocations: 0, retries: 0, bisections: 0, recordsDelivered: 0, recordsCheckpointed: 0, recordsToOnFailure: 0 };

  const fail = async (batch: readonly R[], condition: FailedBatch<R>['condition'], attempts: number, lastError?: string): Promise<void> => {
    stats.recordsToOnFailure += batch.length;
    await driver.onFailure({
      condition,
      startSequenceNumber: driver.sequenceNumber(batch[0]!),
      endSequenceNumber: driver.sequenceNumber(batch[batch.length - 1]!),
      batchSize: batch.length,
      records: batch,
      attempts,
      ...(lastError !== undefined ? { lastError } : {}),
    });
  };

  const processBatch = async (initial: readonly R[]): Promise<void> => {
    let batch = initial;
    let attempts = 0;
    for (;;) {
      const expired = batch.filter((r) => now() - driver.arrivalMs(r) > maxAgeMs);
      if (expired.length > 0) {
        await fail(expired, 'RecordAgeExceeded', attempts);
        batch = batch.filter((r) => !expired.includes(r));
        if (batch.length === 0) return;
      }
      attempts++;
      stats.invocations++;
      stats.recordsDelivered += batch.length;
      let response: BatchItemFailures | undefined;
      try {
        response = await driver.invoke(batch);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (config.bisectBatchOnFunctionError && batch.length > 1) {
          stats.bisections++;
          const mid = Math.ceil(batch.length / 2);
          await processBatch(batch.slice(0, mid));
          await processBatch(batch.slice(mid));
          return;
        }
        if (attempts > config.maximumRetryAttempts) {
          await fail(batch, 'RetryAttemptsExhausted', attempts, message);
          return;
        }
        stats.retries++;
        continue;
      }
      const failures = config.reportBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
      if (failures.length === 0) {
        stats.recordsCheckpointed += batch.length;
        return;
      }
      const indexes = failures.map((f) => batch.findIndex((r) => driver.sequenceNumber(r) === f.itemIdentifier));
      const from = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
      stats.recordsCheckpointed += from;
      batch = batch.slice(from);
      if (attempts > config.maximumRetryAttempts) {
        await fail(batch, 'RetryAttemptsExhausted', attempts, `${failures.length} record(s) reported as failed`);
        return;
      }
      stats.retries++;
    }
  };

  for (let i = 0; i < records.length; i += batchSize) {
    await processBatch(records.slice(i, i + batchSize));
  }
  return stats;
}
