import { runMapping, type Source } from '../../../tools/lib/demo/consume';
import { Wakeup } from '../../../tools/lib/demo/wakeup';

/** An in-memory shard: `put` appends and notifies, like a producer's PutRecords. */
function shard(): Source<number> & { put(...n: number[]): void; close(): void } {
  const records: number[] = [];
  const wakeup = new Wakeup();
  return {
    wakeup,
    read: async (limit) => records.splice(0, limit),
    put: (...n) => {
      records.push(...n);
      wakeup.notify();
    },
    close: () => wakeup.close(),
  };
}

const ctx = { checkAbort: () => undefined };

describe('runMapping (Lambda-like batching per shard)', () => {
  test('records already in the shard go in full batches of BatchSize, in order; the rest once the shard is closed', async () => {
    const s = shard();
    s.put(...Array.from({ length: 25 }, (_, i) => i));
    s.close();
    const batches: number[][] = [];
    await runMapping(ctx, { batchSize: 10, maximumBatchingWindowInSeconds: 60 }, s, async (b) => void batches.push(b));
    expect(batches).toEqual([Array.from({ length: 10 }, (_, i) => i), Array.from({ length: 10 }, (_, i) => i + 10), [20, 21, 22, 23, 24]]);
  });

  test('a partial batch waits for its batching window, then goes without waiting for more', async () => {
    const s = shard();
    const batches: { at: number; records: number[] }[] = [];
    const t0 = Date.now();
    const run = runMapping(
      ctx,
      { batchSize: 100, maximumBatchingWindowInSeconds: 0.2 },
      s,
      async (b) => void batches.push({ at: Date.now() - t0, records: b }),
    );
    s.put(1, 2, 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    s.put(4);
    await new Promise((resolve) => setTimeout(resolve, 400));
    s.put(5);
    s.close();
    await run;
    expect(batches.map((b) => b.records)).toEqual([[1, 2, 3, 4], [5]]);
    expect(batches[0]!.at).toBeGreaterThanOrEqual(190);
  });

  test('an idle shard is waited on, not polled: nothing is read until a producer notifies', async () => {
    const s = shard();
    let reads = 0;
    const counted: Source<number> = {
      wakeup: s.wakeup,
      read: async (limit) => {
        reads++;
        return s.read(limit);
      },
    };
    const batches: number[][] = [];
    const run = runMapping(ctx, { batchSize: 10, maximumBatchingWindowInSeconds: 0 }, counted, async (b) => void batches.push(b));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reads).toBe(1);
    s.put(7);
    s.close();
    await run;
    expect(batches).toEqual([[7]]);
    expect(reads).toBeLessThanOrEqual(3);
  });
});
