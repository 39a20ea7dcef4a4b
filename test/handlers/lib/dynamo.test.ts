/**
 * The DynamoDB adapter's retry contract at the client layer: UnprocessedItems resent with bounded,
 * jittered exponential backoff, then a PartialWriteError; SDK errors wrapped as retryable;
 * condition failures turned into values. (Real-service behaviour is covered in the handler tests.)
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, putIfAbsent, updateIfNewer, updateIfVersion } from '../../../handlers/lib/dynamo';
import { PartialWriteError } from '../../../handlers/lib/errors';
import { limiter } from '../../../handlers/lib/limit';

type Cmd = { input: Record<string, unknown>; constructor: { name: string } };

function fakeDoc(respond: (cmd: Cmd, call: number) => unknown): { doc: DynamoDBDocumentClient; calls: Cmd[] } {
  const calls: Cmd[] = [];
  const doc = {
    send: async (cmd: Cmd) => {
      calls.push(cmd);
      const r = respond(cmd, calls.length);
      if (r instanceof Error) throw r;
      return r;
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, calls };
}

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: `P#${i}`, ts: 't' }));
const put = (pk: string) => ({ PutRequest: { Item: { pk, ts: 't' } } });

describe('batchWriteAll', () => {
  test('chunks of 25, one request each when nothing is left unprocessed', async () => {
    const { doc, calls } = fakeDoc(() => ({}));
    await batchWriteAll(doc, 'T', items(60));
    expect(calls.map((c) => (c.input.RequestItems as Record<string, unknown[]>).T!.length)).toEqual([25, 25, 10]);
  });

  test('resends only the unprocessed items, sleeping with equal jitter in [c/2, c), c = base·2^k', async () => {
    const sleeps: number[] = [];
    const { doc, calls } = fakeDoc((_cmd, call) => (call <= 2 ? { UnprocessedItems: { T: [put('P#1')] } } : {}));
    await batchWriteAll(doc, 'T', items(3), { baseDelayMs: 100, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) });
    expect(calls.map((c) => (c.input.RequestItems as Record<string, { PutRequest: { Item: { pk: string } } }[]>).T!.map((r) => r.PutRequest.Item.pk))).toEqual([
      ['P#0', 'P#1', 'P#2'],
      ['P#1'],
      ['P#1'],
    ]);
    expect(sleeps).toEqual([75, 150]);
  });

  test('gives up after maxAttempts with a PartialWriteError naming the count', async () => {
    const { doc, calls } = fakeDoc(() => ({ UnprocessedItems: { T: [put('P#0'), put('P#1')] } }));
    const err = await batchWriteAll(doc, 'T', items(2), { maxAttempts: 4, sleep: async () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialWriteError);
    expect((err as PartialWriteError).retryable).toBe(true);
    expect((err as Error).message).toBe('BatchWriteItem T: 2 item(s) still unprocessed after 4 attempts (throttled); the records behind them will be retried');
    expect(calls).toHaveLength(4);
  });

  test('backoff is capped', async () => {
    const sleeps: number[] = [];
    const { doc } = fakeDoc(() => ({ UnprocessedItems: { T: [put('P#0')] } }));
    await batchWriteAll(doc, 'T', items(1), {
      maxAttempts: 8,
      baseDelayMs: 100,
      maxDelayMs: 300,
      random: () => 0.999,
      sleep: async (ms) => void sleeps.push(ms),
    }).catch(() => undefined);
    expect(Math.max(...sleeps)).toBeLessThan(300);
  });

  test('a throttling error from the SDK becomes a retryable PartialWriteError', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
    const { doc } = fakeDoc(() => throttled);
    await expect(batchWriteAll(doc, 'T', items(1))).rejects.toThrow(
      'BatchWriteItem T (1 items) failed (ProvisionedThroughputExceededException: Rate exceeded); the record will be retried',
    );
  });
});

describe('conditional writes', () => {
  const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

  test.each<[string, () => Promise<string>, string]>([
    ['putIfAbsent: duplicate', () => putIfAbsent(fakeDoc(conditionFailed).doc, 'T', { pk: 'a', ts: 't' }), 'duplicate'],
    ['putIfAbsent: written', () => putIfAbsent(fakeDoc(() => ({})).doc, 'T', { pk: 'a', ts: 't' }), 'written'],
    ['updateIfNewer: stale', () => updateIfNewer(fakeDoc(conditionFailed).doc, 'T', 'a', 't', { price: 1 }), 'stale'],
    ['updateIfVersion: conflict', () => updateIfVersion(fakeDoc(conditionFailed).doc, 'T', 'a', 'smaTs', 't1', 't2', {}), 'conflict'],
  ])('%s', async (_name, run, expected) => {
    expect(await run()).toBe(expected);
  });

  test('updateIfNewer sets only the named attributes, removes undefined ones, guards on ts', async () => {
    const { doc, calls } = fakeDoc(() => ({}));
    await updateIfNewer(doc, 'Latest', 'STOCK#AAPL', '2026-11-20T14:30:00.000Z', { price: 1, sma5: undefined, pk: 'ignored' });
    expect(calls[0]!.input).toEqual({
      TableName: 'Latest',
      Key: { pk: 'STOCK#AAPL' },
      UpdateExpression: 'SET #v = :v, #a0 = :a0 REMOVE #a1',
      ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
      ExpressionAttributeNames: { '#v': 'ts', '#a0': 'price', '#a1': 'sma5' },
      ExpressionAttributeValues: { ':v': '2026-11-20T14:30:00.000Z', ':a0': 1 },
    });
  });

  test('updateIfVersion with no previous version requires the attribute to be absent', async () => {
    const { doc, calls } = fakeDoc(() => ({}));
    await updateIfVersion(doc, 'Latest', 'STOCK#AAPL', 'smaTs', undefined, 't1', { sma5: 3 });
    expect(calls[0]!.input.ConditionExpression).toBe('attribute_not_exists(#v)');
  });
});

describe('limiter', () => {
  test('never runs more than `concurrency` tasks at once, and runs them all', async () => {
    const limit = limiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 1));
          active--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test('a failing task frees its slot', async () => {
    const limit = limiter(1);
    await expect(limit(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit(async () => 'next')).toBe('next');
  });
});
