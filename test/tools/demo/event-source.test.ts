import { drainShard, EventSourceConfigError, type EventSourceConfig, type FailedBatch } from '../../../tools/lib/demo/event-source';

interface Rec {
  seq: string;
  arrival: number;
  poison?: boolean;
  bad?: boolean;
}

const recs = (n: number, mark: Partial<Record<number, Partial<Rec>>> = {}): Rec[] =>
  Array.from({ length: n }, (_, i) => ({ seq: String(100 + i), arrival: 0, ...mark[i] }));

const CONTRACT: EventSourceConfig = {
  batchSize: 4,
  reportBatchItemFailures: true,
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 2,
  maximumRecordAgeInSeconds: 3600,
};

// biome-ignore lint/suspicious/noConfusingVoidType: a behaviour that returns nothing means a batch without failures
function harness(config: EventSourceConfig, behaviour: (batch: readonly Rec[]) => { batchItemFailures: { itemIdentifier: string }[] } | void) {
  const calls: string[][] = [];
  const failed: FailedBatch<Rec>[] = [];
  const processed = new Map<string, number>();
  const run = (records: Rec[], now = () => 0) =>
    drainShard(records, {
      config,
      invoke: async (batch) => {
        calls.push(batch.map((r) => r.seq));
        const result = behaviour(batch);
        for (const r of batch)
          if (!r.poison && !(result?.batchItemFailures ?? []).some((f) => f.itemIdentifier === r.seq)) processed.set(r.seq, (processed.get(r.seq) ?? 0) + 1);
        return result ?? undefined;
      },
      sequenceNumber: (r) => r.seq,
      arrivalMs: (r) => r.arrival,
      onFailure: async (f) => {
        failed.push(f);
      },
      now,
    });
  return { calls, failed, processed, run };
}

/** A Powertools-style handler: reports poison records instead of throwing. */
const reportsPoison = (batch: readonly Rec[]) => ({ batchItemFailures: batch.filter((r) => r.poison).map((r) => ({ itemIdentifier: r.seq })) });
/** A handler that throws for the whole batch when any record is poison. */
const throwsOnPoison = (batch: readonly Rec[]) => {
  if (batch.some((r) => r.poison)) throw new Error('poison');
};

describe('drainShard', () => {
  test('a clean shard is delivered in order, in batches of batchSize, once', async () => {
    const h = harness(CONTRACT, () => undefined);
    const stats = await h.run(recs(10));
    expect(h.calls).toEqual([
      ['100', '101', '102', '103'],
      ['104', '105', '106', '107'],
      ['108', '109'],
    ]);
    expect(stats).toEqual({ invocations: 3, retries: 0, bisections: 0, recordsDelivered: 10, recordsCheckpointed: 10, recordsToOnFailure: 0 });
  });

  test('partial batch failure: checkpoint before the failed record, retry from it, then send it to the on-failure destination', async () => {
    const h = harness(CONTRACT, reportsPoison);
    const stats = await h.run(recs(4, { 1: { poison: true } }));
    expect(h.calls).toEqual([
      ['100', '101', '102', '103'],
      ['101', '102', '103'],
      ['101', '102', '103'],
    ]);
    expect(h.failed).toHaveLength(1);
    expect(h.failed[0]).toMatchObject({ condition: 'RetryAttemptsExhausted', startSequenceNumber: '101', endSequenceNumber: '103', batchSize: 3, attempts: 3 });
    expect(stats.recordsCheckpointed).toBe(1);
    // Records after the poison one are redelivered: the handler must be idempotent (102 and 103 seen three times).
    expect(h.processed.get('102')).toBe(3);
  });

  test('function error with bisect: halves until the poison record is alone, which alone reaches the destination', async () => {
    const h = harness(CONTRACT, throwsOnPoison);
    const stats = await h.run(recs(4, { 2: { poison: true } }));
    expect(h.calls).toEqual([['100', '101', '102', '103'], ['100', '101'], ['102', '103'], ['102'], ['102'], ['102'], ['103']]);
    expect(h.failed.map((f) => [f.startSequenceNumber, f.batchSize, f.lastError])).toEqual([['102', 1, 'poison']]);
    expect(stats).toMatchObject({ bisections: 2, retries: 2, recordsToOnFailure: 1, recordsCheckpointed: 3 });
  });

  test('function error without bisect: the whole batch is retried, then sent to the destination', async () => {
    const h = harness({ ...CONTRACT, bisectBatchOnFunctionError: false, maximumRetryAttempts: 1 }, throwsOnPoison);
    await h.run(recs(4, { 0: { poison: true } }));
    expect(h.calls).toHaveLength(2);
    expect(h.failed[0]).toMatchObject({ batchSize: 4, startSequenceNumber: '100', endSequenceNumber: '103' });
  });

  test('without ReportBatchItemFailures a returned failure list is ignored (the batch counts as done)', async () => {
    const h = harness({ ...CONTRACT, reportBatchItemFailures: false }, reportsPoison);
    const stats = await h.run(recs(4, { 1: { poison: true } }));
    expect(h.calls).toHaveLength(1);
    expect(stats.recordsCheckpointed).toBe(4);
  });

  test('an itemIdentifier not in the batch fails the whole batch', async () => {
    const h = harness({ ...CONTRACT, maximumRetryAttempts: 0 }, () => ({ batchItemFailures: [{ itemIdentifier: 'nope' }] }));
    await h.run(recs(2));
    expect(h.failed[0]).toMatchObject({ batchSize: 2, startSequenceNumber: '100' });
  });

  test('records older than MaximumRecordAgeInSeconds go to the destination without an invocation', async () => {
    const h = harness(CONTRACT, () => undefined);
    const records = recs(3, { 0: { arrival: 0 }, 1: { arrival: 10_000_000 }, 2: { arrival: 10_000_000 } });
    await h.run(records, () => 10_000_000);
    expect(h.failed.map((f) => [f.condition, f.startSequenceNumber])).toEqual([['RecordAgeExceeded', '100']]);
    expect(h.calls).toEqual([['101', '102']]);
  });

  test('a transient failure succeeds on retry and nothing reaches the destination', async () => {
    let first = true;
    const h = harness(CONTRACT, () => {
      if (first) {
        first = false;
        throw new Error('throttled');
      }
    });
    const stats = await h.run(recs(1));
    expect(stats).toMatchObject({ invocations: 2, retries: 1, recordsToOnFailure: 0, recordsCheckpointed: 1 });
  });

  test.each([
    [{ ...CONTRACT, maximumRetryAttempts: -1 }, 'maximumRetryAttempts must be finite'],
    [{ ...CONTRACT, batchSize: 0 }, 'batchSize must be a positive integer (got 0)'],
  ])('refuses unsafe configuration %#', async (config, message) => {
    await expect(harness(config, () => undefined).run(recs(1))).rejects.toThrow(EventSourceConfigError);
    await expect(harness(config, () => undefined).run(recs(1))).rejects.toThrow(message);
  });
});
