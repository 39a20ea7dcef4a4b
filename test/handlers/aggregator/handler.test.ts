/**
 * The aggregator against dynalite: SMA and window rows, rolling state on LatestTable, no double
 * counting on redelivery, older ticks ignored, UnprocessedItems and throttling at the client layer.
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHandler, ticksByEntity, type AggregatorConfig } from '../../../handlers/aggregator/index';
import { startDynalite, metricsTableDefinition, pkTableDefinition, type LocalDynamo } from '../../helpers/local-aws';
import { kinesisEvent, kinesisRecord, sequenceNumber, stockTick, tickSeries } from '../../fixtures/events';

let ddb: LocalDynamo;
let n = 0;
beforeAll(async () => {
  ddb = await startDynalite();
});
afterAll(async () => {
  await ddb?.stop();
});

type Cmd = { input: Record<string, unknown>; constructor: { name: string } };

async function freshEnv(fault?: (cmd: Cmd) => Record<string, unknown> | undefined) {
  const id = ++n;
  const config: AggregatorConfig = {
    metricsTableName: `agg-metrics-${id}`,
    latestTableName: `agg-latest-${id}`,
    batchWrite: { baseDelayMs: 1, maxAttempts: 3 },
  };
  await ddb.client.send(new CreateTableCommand(metricsTableDefinition(config.metricsTableName)));
  await ddb.client.send(new CreateTableCommand(pkTableDefinition(config.latestTableName)));
  const sent: string[] = [];
  const doc = {
    send: (async (cmd: Cmd) => {
      sent.push(cmd.constructor.name);
      const faked = fault?.(cmd);
      if (faked) return faked;
      return ddb.doc.send(cmd as never);
    }) as unknown as DynamoDBDocumentClient['send'],
  } as DynamoDBDocumentClient;
  return {
    config,
    sent,
    handler: createHandler({ doc, config }),
    async rows(pkSuffix: string) {
      const res = await ddb.doc.send(new ScanCommand({ TableName: config.metricsTableName }));
      return (res.Items ?? []).filter((i) => String(i.pk).endsWith(pkSuffix)).sort((a, b) => String(a.ts).localeCompare(String(b.ts)));
    },
    async all() {
      const res = await ddb.doc.send(new ScanCommand({ TableName: config.metricsTableName }));
      return (res.Items ?? []).sort((a, b) => `${a.pk}${a.ts}`.localeCompare(`${b.pk}${b.ts}`));
    },
    async latest(pk = 'STOCK#AAPL') {
      return (await ddb.doc.send(new GetCommand({ TableName: config.latestTableName, Key: { pk } }))).Item;
    },
  };
}

const prices = Array.from({ length: 25 }, (_, i) => 100 + i);
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('aggregator handler on dynalite', () => {
  test('SMA-5/SMA-20 start at the 5th/20th tick; windows average their ticks', async () => {
    const env = await freshEnv();
    const event = kinesisEvent(tickSeries(25, { prices, stepMs: 60_000 }));

    expect(await env.handler(event)).toEqual({ batchItemFailures: [] });

    const sma = await env.rows('#SMA');
    expect(sma).toHaveLength(25);
    expect(sma.slice(0, 4).every((r) => r.sma5 === undefined && r.sma20 === undefined)).toBe(true);
    expect(sma[4]).toMatchObject({ value: 104, sma5: avg(prices.slice(0, 5)) });
    expect(sma[4]!.sma20).toBeUndefined();
    expect(sma[18]!.sma20).toBeUndefined();
    expect(sma[19]).toMatchObject({ sma5: avg(prices.slice(15, 20)), sma20: avg(prices.slice(0, 20)) });
    expect(await env.latest()).toMatchObject({
      type: 'stock',
      smaTs: '2026-11-20T14:24:00.000Z',
      sma5: avg(prices.slice(20, 25)),
      sma20: avg(prices.slice(5, 25)),
      prevSma5: avg(prices.slice(19, 24)),
      prevSma20: avg(prices.slice(4, 24)),
      recent: prices.slice(5, 25),
    });
    // 14:00–14:24 one tick a minute: five 5-minute windows of 5 ticks, one hour window of 25.
    expect((await env.rows('#AVG5M')).map((r) => [r.ts, r.count, r.avg, r.min, r.max])).toEqual(
      [0, 1, 2, 3, 4].map((w) => [`2026-11-20T14:${String(w * 5).padStart(2, '0')}:00.000Z`, 5, avg(prices.slice(w * 5, w * 5 + 5)), 100 + w * 5, 104 + w * 5]),
    );
    expect((await env.rows('#AVG1H')).map((r) => [r.ts, r.count, r.sum, r.lastTs])).toEqual([
      ['2026-11-20T14:00:00.000Z', 25, prices.reduce((a, b) => a + b), '2026-11-20T14:24:00.000Z'],
    ]);
    // One LatestTable update per applied tick: the stream shows every SMA step to the rules engine.
    expect(env.sent.filter((c) => c === 'UpdateCommand')).toHaveLength(25);
  });

  test('redelivery of a whole batch, and a duplicate inside a batch, count nothing twice', async () => {
    const env = await freshEnv();
    const ticks = tickSeries(6, { prices });
    await env.handler(kinesisEvent([...ticks, ticks[5]!]));
    const before = { rows: await env.all(), latest: await env.latest() };

    expect(await env.handler(kinesisEvent([...ticks, ticks[5]!]))).toEqual({ batchItemFailures: [] });

    expect(await env.all()).toEqual(before.rows);
    expect(await env.latest()).toEqual(before.latest);
    expect((await env.rows('#AVG5M')).map((r) => r.count)).toEqual([5, 1]);
  });

  test('an older tick arriving later is ignored and does not corrupt the state', async () => {
    const env = await freshEnv();
    await env.handler(kinesisEvent(tickSeries(5, { prices: [10, 20, 30, 40, 50] }), 1));
    const before = { rows: await env.all(), latest: await env.latest() };

    const late = stockTick({ ts: '2026-11-20T14:02:30.000Z', price: 1000, high: 1e6, low: 0.01 });
    expect(await env.handler(kinesisEvent([late], 10))).toEqual({ batchItemFailures: [] });

    expect(await env.all()).toEqual(before.rows);
    expect(await env.latest()).toEqual(before.latest);
    expect(before.latest).toMatchObject({ sma5: 30, smaTs: '2026-11-20T14:04:00.000Z' });
  });

  test('UnprocessedItems are resent until written', async () => {
    let calls = 0;
    const env = await freshEnv((cmd) => {
      if (cmd.constructor.name !== 'BatchWriteCommand' || calls++ > 0) return undefined;
      const items = (cmd.input.RequestItems as Record<string, unknown[]>)[`agg-metrics-${n}`]!;
      // Pretend DynamoDB wrote nothing the first time: every item comes back unprocessed.
      return { UnprocessedItems: { [`agg-metrics-${n}`]: items }, $metadata: {} };
    });
    expect(await env.handler(kinesisEvent(tickSeries(3)))).toEqual({ batchItemFailures: [] });
    expect(calls).toBe(2);
    expect(await env.rows('#SMA')).toHaveLength(3);
  });

  test("UnprocessedItems that never clear fail the entity's records; state is untouched until the retry", async () => {
    let stuck = true;
    const env = await freshEnv((cmd) => {
      if (!stuck || cmd.constructor.name !== 'BatchWriteCommand') return undefined;
      const items = Object.values(cmd.input.RequestItems as Record<string, { PutRequest: { Item: { pk: string } } }[]>)[0]!;
      return items.some((i) => i.PutRequest.Item.pk.startsWith('STOCK#AAPL')) ? { UnprocessedItems: cmd.input.RequestItems, $metadata: {} } : undefined;
    });
    const event = { Records: [...tickSeries(2).map((t, i) => kinesisRecord(t, { seq: i + 1 })), kinesisRecord(stockTick({ symbol: 'MSFT' }), { seq: 3 })] };

    const response = await env.handler(event);

    expect(response).toEqual({ batchItemFailures: [1, 2].map((i) => ({ itemIdentifier: sequenceNumber(i) })) });
    expect(await env.latest()).toBeUndefined();
    expect(await env.latest('STOCK#MSFT')).toMatchObject({ smaTs: '2026-11-20T14:30:00.000Z' });
    stuck = false;
    expect(await env.handler(event)).toEqual({ batchItemFailures: [] });
    expect((await env.rows('#SMA')).map((r) => [r.pk, r.ts])).toEqual([
      ['STOCK#AAPL#SMA', '2026-11-20T14:00:00.000Z'],
      ['STOCK#AAPL#SMA', '2026-11-20T14:01:00.000Z'],
      ['STOCK#MSFT#SMA', '2026-11-20T14:30:00.000Z'],
    ]);
    expect(await env.latest()).toMatchObject({ smaTs: '2026-11-20T14:01:00.000Z', recent: [100, 100] });
  });

  test('throttled state update at tick k: ticks before k are done, k on are retried and applied once', async () => {
    let throttled = false;
    const env = await freshEnv((cmd) => {
      if (
        cmd.constructor.name === 'UpdateCommand' &&
        (cmd.input.ExpressionAttributeValues as Record<string, unknown>)[':v'] === '2026-11-20T14:02:00.000Z' &&
        !throttled
      ) {
        throttled = true;
        const err = new Error('throughput exceeded');
        err.name = 'ProvisionedThroughputExceededException';
        throw err;
      }
      return undefined;
    });
    const event = kinesisEvent(tickSeries(4, { prices: [1, 2, 3, 4] }));

    const response = await env.handler(event);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(3) }, { itemIdentifier: sequenceNumber(4) }] });
    expect(await env.latest()).toMatchObject({ smaTs: '2026-11-20T14:01:00.000Z', recent: [1, 2] });
    expect(await env.handler({ Records: event.Records.slice(2) })).toEqual({ batchItemFailures: [] });
    expect(await env.latest()).toMatchObject({ smaTs: '2026-11-20T14:03:00.000Z', recent: [1, 2, 3, 4] });
    expect((await env.rows('#AVG5M')).map((r) => [r.count, r.sum])).toEqual([[4, 10]]);
  });

  test('a concurrent writer moving smaTs makes the tick fail (retried), never applied twice', async () => {
    const env = await freshEnv();
    await env.handler(kinesisEvent(tickSeries(1), 1));
    const next = tickSeries(2)[1]!;
    // The handler reads state, then another run moves smaTs before our conditional update lands.
    let moved = false;
    const env2doc = {
      send: (async (cmd: Cmd) => {
        if (cmd.constructor.name === 'UpdateCommand' && (cmd.input.Key as { pk: string }).pk === 'STOCK#AAPL' && !moved) {
          moved = true;
          await ddb.doc.send(
            new UpdateCommand({
              TableName: env.config.latestTableName,
              Key: { pk: 'STOCK#AAPL' },
              UpdateExpression: 'SET smaTs = :t',
              ExpressionAttributeValues: { ':t': '2026-11-20T14:00:45.000Z' },
            }),
          );
        }
        return ddb.doc.send(cmd as never);
      }) as unknown as DynamoDBDocumentClient['send'],
    } as DynamoDBDocumentClient;
    const handler = createHandler({ doc: env2doc, config: env.config });

    const response = await handler(kinesisEvent([next, stockTick({ symbol: 'MSFT' })], 2));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(2) }] });
    expect(await env.latest()).toMatchObject({ smaTs: '2026-11-20T14:00:45.000Z', recent: [100] });
    expect(await env.latest('STOCK#MSFT')).toMatchObject({ recent: [190.5] });
  });

  test('onLatestWrite receives every SMA step in order (local stand-in for the LatestTable stream)', async () => {
    const env = await freshEnv();
    const images: Record<string, unknown>[] = [];
    const handler = createHandler({ doc: ddb.doc, config: env.config, onLatestWrite: (image) => void images.push(image) });
    await handler(kinesisEvent(tickSeries(6, { prices: [1, 2, 3, 4, 5, 6] })));
    expect(images.map((i) => [i.smaTs, i.sma5, i.prevSma5])).toEqual([
      ['2026-11-20T14:00:00.000Z', undefined, undefined],
      ['2026-11-20T14:01:00.000Z', undefined, undefined],
      ['2026-11-20T14:02:00.000Z', undefined, undefined],
      ['2026-11-20T14:03:00.000Z', undefined, undefined],
      ['2026-11-20T14:04:00.000Z', 3, undefined],
      ['2026-11-20T14:05:00.000Z', 4, 3],
    ]);
    expect(images.at(-1)).toEqual(await env.latest());
  });
});

describe("ticksByEntity: the enricher's quarantine rules, future-timestamp included", () => {
  test('a tick more than the allowed skew ahead of its arrival never reaches the rolling state', () => {
    const event = kinesisEvent([stockTick({ ts: '2026-11-20T14:30:00.000Z' }), stockTick({ ts: '2999-01-01T00:00:00.000Z' })]);
    expect([...ticksByEntity(event.Records).values()].flat().map((t) => t.ts)).toEqual(['2026-11-20T14:30:00.000Z']);
    // With a huge skew allowed, the same tick would be applied: the check is what keeps it out.
    expect([...ticksByEntity(event.Records, 1e12).values()].flat()).toHaveLength(2);
  });
});
