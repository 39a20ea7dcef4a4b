/**
 * The enricher against real local services: dynalite (DynamoDB) and s3rver (S3). Each test gets
 * fresh tables and buckets and asserts exactly what landed where (RELIABILITY 1–6, 8).
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import { gunzipSync } from 'node:zlib';
import type { KinesisStreamEvent } from 'aws-lambda';
import { ScanCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { createHandler, handler as lambdaHandler, type EnricherConfig } from '../../../handlers/enricher/index';
import { startDynalite, startS3rver, metricsTableDefinition, pkTableDefinition, type LocalDynamo, type LocalS3 } from '../../helpers/local-aws';
import { FIXED_NOW, kinesisEvent, kinesisRecord, kinesisRecordRaw, sequenceNumber, stockTick, weatherObservation, SHARD_ID } from '../../fixtures/events';
import { parquetReader, type ParquetReader } from '../../fixtures/parquet';

let ddb: LocalDynamo;
let s3: LocalS3;
let pq: ParquetReader;
let n = 0;

beforeAll(async () => {
  [ddb, s3, pq] = await Promise.all([startDynalite(), startS3rver(), parquetReader()]);
});
afterAll(async () => {
  await Promise.all([ddb?.stop(), s3?.stop(), pq?.close()]);
});

interface Env {
  config: EnricherConfig;
  handler: ReturnType<typeof createHandler>;
  metrics(): Promise<Record<string, unknown>[]>;
  latest(pk: string): Promise<Record<string, unknown> | undefined>;
  keys(bucket: 'raw' | 'processed'): Promise<string[]>;
  parquetRows(select: string): Promise<Record<string, unknown>[]>;
  rawLines(key: string): Promise<string[]>;
  quarantine(key: string): Promise<Record<string, unknown>>;
}

type Send = DynamoDBDocumentClient['send'];

/** Fresh tables/buckets; optional fault injection wrapping the clients' `send`. */
async function freshEnv(
  faults: { dynamo?: (input: Record<string, unknown>, name: string) => void; s3?: (input: Record<string, unknown>, name: string) => void } = {},
  now = () => FIXED_NOW,
): Promise<Env> {
  const id = ++n;
  const config: EnricherConfig = {
    metricsTableName: `metrics-${id}`,
    latestTableName: `latest-${id}`,
    rawBucketName: `raw-${id}`,
    processedBucketName: `processed-${id}`,
  };
  await ddb.client.send(new CreateTableCommand(metricsTableDefinition(config.metricsTableName)));
  await ddb.client.send(new CreateTableCommand(pkTableDefinition(config.latestTableName)));
  await s3.client.send(new CreateBucketCommand({ Bucket: config.rawBucketName }));
  await s3.client.send(new CreateBucketCommand({ Bucket: config.processedBucketName }));
  const doc = {
    send: ((cmd: { input: Record<string, unknown>; constructor: { name: string } }) => {
      faults.dynamo?.(cmd.input, cmd.constructor.name);
      return ddb.doc.send(cmd as never);
    }) as unknown as Send,
  } as DynamoDBDocumentClient;
  const s3client = {
    send: ((cmd: { input: Record<string, unknown>; constructor: { name: string } }) => {
      faults.s3?.(cmd.input, cmd.constructor.name);
      return s3.client.send(cmd as never);
    }) as unknown as S3Client['send'],
  } as S3Client;
  const handler = createHandler({ doc, s3: s3client, config, now });
  return {
    config,
    handler,
    async metrics() {
      const res = await ddb.doc.send(new ScanCommand({ TableName: config.metricsTableName }));
      return (res.Items ?? []).sort((a, b) => `${a.pk}${a.ts}`.localeCompare(`${b.pk}${b.ts}`));
    },
    async latest(pk) {
      return (await ddb.doc.send(new GetCommand({ TableName: config.latestTableName, Key: { pk } }))).Item;
    },
    keys: (bucket) => s3.listKeys(bucket === 'raw' ? config.rawBucketName : config.processedBucketName),
    async parquetRows(select) {
      const keys = (await s3.listKeys(config.processedBucketName)).filter((k) => k.endsWith('.parquet'));
      const files = await Promise.all(keys.map((k) => s3.getBytes(config.processedBucketName, k)));
      return pq.rows(files, select, 'sequence_number');
    },
    async rawLines(key) {
      return gunzipSync(await s3.getBytes(config.rawBucketName, key))
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
    },
    async quarantine(key) {
      return JSON.parse((await s3.getBytes(config.rawBucketName, key)).toString('utf8')) as Record<string, unknown>;
    },
  };
}

function throttle(): never {
  const err = new Error('Rate of requests exceeds the allowed throughput.');
  err.name = 'ProvisionedThroughputExceededException';
  throw err;
}

/** What Lambda redelivers after a partial failure: the records from the lowest failed one on. */
function redeliveryAfter(event: KinesisStreamEvent, failed: readonly string[]): KinesisStreamEvent {
  const lowest = [...failed].sort()[0]!;
  return { Records: event.Records.filter((r) => r.kinesis.sequenceNumber >= lowest) };
}

const first = sequenceNumber(1);

describe('enricher handler on dynalite + s3rver', () => {
  test('a tick dated 2999 is quarantined as future-timestamp: never the latest value, a MetricsTable item or a TTL; later real ticks still apply', async () => {
    const env = await freshEnv();
    const future = stockTick({ ts: '2999-01-01T00:00:00.000Z', price: 1 });
    const response = await env.handler(kinesisEvent([stockTick({ ts: '2026-11-20T14:30:00.000Z', price: 190 }), future]));
    expect(response).toEqual({ batchItemFailures: [] });
    expect((await env.latest('STOCK#AAPL'))?.ts).toBe('2026-11-20T14:30:00.000Z');
    expect((await env.metrics()).map((m) => m.ts)).toEqual(['2026-11-20T14:30:00.000Z']);
    const quarantined = (await env.keys('raw')).filter((k) => k.startsWith('quarantine/'));
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]).toMatch(/^quarantine\/future-timestamp\//);
    const object = await env.quarantine(quarantined[0]!);
    expect(object).toMatchObject({ code: 'future-timestamp', sequenceNumber: sequenceNumber(2) });
    expect(String(object.reason)).toMatch(
      /^ts 2999-01-01T00:00:00.000Z is \d+ s after the record's Kinesis arrival .*; a producer clock may be at most 300 s ahead$/,
    );
    // The next real tick is newer than the stored latest one, so it applies (the symbol is not frozen).
    await env.handler(kinesisEvent([stockTick({ ts: '2026-11-20T14:31:00.000Z', price: 191 })], 3));
    expect(await env.latest('STOCK#AAPL')).toMatchObject({ ts: '2026-11-20T14:31:00.000Z', price: 191 });
  });

  test('the skew is configurable: MAX_CLOCK_SKEW_SECONDS=0 quarantines a tick 1 s ahead of its arrival', async () => {
    const env = await freshEnv();
    const handler = createHandler({ doc: ddb.doc, s3: s3.client, config: { ...env.config, maxClockSkewSeconds: 0 }, now: () => FIXED_NOW });
    const arrival = Date.parse('2026-11-20T14:30:00.000Z') / 1000;
    await handler({ Records: [kinesisRecord(stockTick({ ts: '2026-11-20T14:30:01.000Z' }), { seq: 1, arrival })] });
    expect(await env.latest('STOCK#AAPL')).toBeUndefined();
    expect((await env.keys('raw')).filter((k) => k.startsWith('quarantine/future-timestamp/'))).toHaveLength(1);
  });

  test.each([
    ['no Records', {}, 'enricher: malformed Kinesis event: it has no Records; nothing was processed (is the function wired to the right event source?)'],
    ['Records not an array', { Records: 'x' }, 'enricher: malformed Kinesis event: Records is string, not an array;'],
    [
      'a record without kinesis',
      { Records: [{ eventSource: 'aws:sqs', body: '{}' }] },
      'enricher: malformed Kinesis event: Records[0] has no kinesis object (eventSource "aws:sqs");',
    ],
    [
      'a kinesis record of the wrong shape',
      { Records: [{ eventID: 'shardId-0:1', kinesis: { data: 1, sequenceNumber: '1', partitionKey: 'A', approximateArrivalTimestamp: 1 } }] },
      'enricher: malformed Kinesis event: Records[0] kinesis.data is number, not a string;',
    ],
  ])('a malformed event (%s) fails with MalformedEventError and a one-line message, writing nothing', async (_name, event, message) => {
    const env = await freshEnv();
    const error = (await env.handler(event as never).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('MalformedEventError');
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('\n');
    expect(await env.keys('raw')).toEqual([]);
  });

  test('valid batch: MetricsTable, LatestTable, raw NDJSON and Parquet rows exactly', async () => {
    const env = await freshEnv();
    const ticks = [
      stockTick({ ts: '2026-11-20T14:30:00Z', price: 190.5 }),
      weatherObservation({ ts: '2026-11-20T14:30:00.000Z' }),
      stockTick({ ts: '2026-11-20T14:31:00.000Z', price: 185.22, volume: 900 }),
      stockTick({ ts: '2026-11-20T14:30:30.000Z', price: 187 }), // out of order: older than the previous tick
    ];
    const event = kinesisEvent(ticks);

    const response = await env.handler(event);

    expect(response).toEqual({ batchItemFailures: [] });
    const metrics = await env.metrics();
    expect(metrics.map((m) => [m.pk, m.ts, m.price ?? m.tempC, m.sequenceNumber])).toEqual([
      ['STOCK#AAPL', '2026-11-20T14:30:00.000Z', 190.5, sequenceNumber(1)],
      ['STOCK#AAPL', '2026-11-20T14:30:30.000Z', 187, sequenceNumber(4)],
      ['STOCK#AAPL', '2026-11-20T14:31:00.000Z', 185.22, sequenceNumber(3)],
      ['WEATHER#Amsterdam', '2026-11-20T14:30:00.000Z', 8.4, sequenceNumber(2)],
    ]);
    expect(metrics[0]).toMatchObject({
      type: 'stock',
      symbol: 'AAPL',
      change: 190.5 - 189,
      changePct: ((190.5 - 189) / 189) * 100,
      dayRange: 191.25 - 187.5,
      source: 'finnhub',
      schemaVersion: 1,
      processTs: FIXED_NOW.toISOString(),
      shardId: SHARD_ID,
      ingestTs: new Date(FIXED_NOW.getTime() - 60_000 + 1).toISOString(),
      expiresAt: Date.parse('2026-11-20T14:30:00Z') / 1000 + 30 * 86400,
    });
    expect(await env.latest('STOCK#AAPL')).toMatchObject({
      pk: 'STOCK#AAPL',
      ts: '2026-11-20T14:31:00.000Z',
      price: 185.22,
      prevClose: 189,
      changePct: ((185.22 - 189) / 189) * 100,
    });
    expect(await env.latest('WEATHER#Amsterdam')).toMatchObject({ ts: '2026-11-20T14:30:00.000Z', tempC: 8.4, windKph: 22.3, precipMm: 0.2, humidity: 81 });

    expect(await env.keys('raw')).toEqual([`raw/stocks/dt=2026-11-20/${SHARD_ID}-${first}.json.gz`, `raw/weather/dt=2026-11-20/${SHARD_ID}-${first}.json.gz`]);
    expect(await env.rawLines(`raw/stocks/dt=2026-11-20/${SHARD_ID}-${first}.json.gz`)).toEqual([0, 2, 3].map((i) => JSON.stringify(ticks[i])));
    expect(await env.keys('processed')).toEqual([
      `processed/stocks/year=2026/month=11/day=20/${SHARD_ID}-${first}.parquet`,
      `processed/weather/year=2026/month=11/day=20/${SHARD_ID}-${first}.parquet`,
    ]);
    const stockFile = await s3.getBytes(env.config.processedBucketName, `processed/stocks/year=2026/month=11/day=20/${SHARD_ID}-${first}.parquet`);
    expect(
      await pq.rows(
        [stockFile],
        `symbol, strftime(ts, '%Y-%m-%dT%H:%M:%S') AS ts, price, volume::INTEGER AS volume, round(change_pct, 6) AS change_pct, sequence_number`,
        'sequence_number',
      ),
    ).toEqual([
      { symbol: 'AAPL', ts: '2026-11-20T14:30:00', price: 190.5, volume: 1200, change_pct: 0.793651, sequence_number: sequenceNumber(1) },
      { symbol: 'AAPL', ts: '2026-11-20T14:31:00', price: 185.22, volume: 900, change_pct: -2, sequence_number: sequenceNumber(3) },
      { symbol: 'AAPL', ts: '2026-11-20T14:30:30', price: 187, volume: 1200, change_pct: -1.058201, sequence_number: sequenceNumber(4) },
    ]);
  });

  test('bad data is quarantined with its reason, not retried, and never reaches the tables or zones', async () => {
    const env = await freshEnv();
    const event: KinesisStreamEvent = {
      Records: [
        kinesisRecordRaw('not base64!!', { seq: 1 }),
        kinesisRecord('{"symbol": "AAPL", "price": ', { seq: 2 }),
        kinesisRecord(stockTick({ price: -1 }), { seq: 3 }),
        kinesisRecord(stockTick({ source: 'x'.repeat(70_000) }), { seq: 4 }),
        kinesisRecord(stockTick(), { seq: 5 }),
      ],
    };

    const response = await env.handler(event);

    expect(response).toEqual({ batchItemFailures: [] });
    const quarantined = (await env.keys('raw')).filter((k) => k.startsWith('quarantine/'));
    expect(quarantined).toEqual([
      `quarantine/bad-base64/dt=2026-11-20/${SHARD_ID}-${sequenceNumber(1)}.json`,
      `quarantine/malformed-json/dt=2026-11-20/${SHARD_ID}-${sequenceNumber(2)}.json`,
      `quarantine/oversized/dt=2026-11-20/${SHARD_ID}-${sequenceNumber(4)}.json`,
      `quarantine/schema-invalid/dt=2026-11-20/${SHARD_ID}-${sequenceNumber(3)}.json`,
    ]);
    const schemaInvalid = await env.quarantine(quarantined[3]!);
    expect(schemaInvalid).toMatchObject({
      code: 'schema-invalid',
      reason: 'price must be > 0',
      sequenceNumber: sequenceNumber(3),
      data: event.Records[2]!.kinesis.data,
    });
    expect((await env.quarantine(quarantined[0]!)).data).toBe('not base64!!');
    expect((await env.metrics()).map((m) => m.sequenceNumber)).toEqual([sequenceNumber(5)]);
    expect(await env.parquetRows('sequence_number')).toEqual([{ sequence_number: sequenceNumber(5) }]);
    expect(await env.rawLines(`raw/stocks/dt=2026-11-20/${SHARD_ID}-${first}.json.gz`)).toEqual([JSON.stringify(stockTick())]);
  });

  test('duplicate delivery changes nothing: same items, same object keys, rows once', async () => {
    const env = await freshEnv(
      {},
      (() => {
        let t = FIXED_NOW.getTime();
        return () => new Date((t += 1000));
      })(),
    );
    const event = kinesisEvent([stockTick({ ts: '2026-11-20T14:30:00Z' }), stockTick({ ts: '2026-11-20T14:31:00Z', price: 191 })]);

    await env.handler(event);
    const metricsAfterFirst = await env.metrics();
    const latestAfterFirst = await env.latest('STOCK#AAPL');
    const keysAfterFirst = [...(await env.keys('raw')), ...(await env.keys('processed'))];
    await env.handler(event);

    expect(await env.metrics()).toEqual(metricsAfterFirst);
    expect(await env.latest('STOCK#AAPL')).toEqual(latestAfterFirst);
    expect([...(await env.keys('raw')), ...(await env.keys('processed'))]).toEqual(keysAfterFirst);
    expect(await env.parquetRows('sequence_number')).toEqual([{ sequence_number: sequenceNumber(1) }, { sequence_number: sequenceNumber(2) }]);
  });

  test('a producer resend (same tick, another sequence number) keeps its raw line but adds no Parquet row', async () => {
    const env = await freshEnv();
    const tick = stockTick({ ts: '2026-11-20T14:30:00Z', price: 190.5 });
    await env.handler(kinesisEvent([tick, stockTick({ ts: '2026-11-20T14:31:00Z' }), tick], 1)); // resent in the same batch
    await env.handler(kinesisEvent([tick], 10)); // and again in a later batch

    expect((await env.metrics()).map((m) => [m.ts, m.sequenceNumber])).toEqual([
      ['2026-11-20T14:30:00.000Z', sequenceNumber(1)],
      ['2026-11-20T14:31:00.000Z', sequenceNumber(2)],
    ]);
    expect(await env.parquetRows('sequence_number')).toEqual([{ sequence_number: sequenceNumber(1) }, { sequence_number: sequenceNumber(2) }]);
    expect(await env.rawLines(`raw/stocks/dt=2026-11-20/${SHARD_ID}-${first}.json.gz`)).toHaveLength(3);
    expect(await env.rawLines(`raw/stocks/dt=2026-11-20/${SHARD_ID}-${sequenceNumber(10)}.json.gz`)).toHaveLength(1);
  });

  test('every tick of a batch moves LatestTable in arrival order, so the stream shows each one', async () => {
    const env = await freshEnv();
    const images: Record<string, unknown>[] = [];
    const handler = createHandler({ doc: ddb.doc, s3: s3.client, config: env.config, now: () => FIXED_NOW, onLatestWrite: (image) => void images.push(image) });
    await handler(
      kinesisEvent(
        [180, 150, 185, 170].map((price, i) => stockTick({ ts: `2026-11-20T14:3${i}:00Z`, price })),
        1,
      ),
    );
    // The 150 tick is a > 10 % drop from 189: the rules engine can only judge it if LatestTable held it.
    expect(images.map((i) => [i.ts, i.price])).toEqual([
      ['2026-11-20T14:30:00.000Z', 180],
      ['2026-11-20T14:31:00.000Z', 150],
      ['2026-11-20T14:32:00.000Z', 185],
      ['2026-11-20T14:33:00.000Z', 170],
    ]);
  });

  test('an older tick in a later batch never overwrites the newer LatestTable value', async () => {
    const env = await freshEnv();
    await env.handler(kinesisEvent([stockTick({ ts: '2026-11-20T14:31:00Z', price: 191 })], 1));
    await env.handler(kinesisEvent([stockTick({ ts: '2026-11-20T14:30:00Z', price: 150 })], 2));

    expect(await env.latest('STOCK#AAPL')).toMatchObject({ ts: '2026-11-20T14:31:00.000Z', price: 191, sequenceNumber: sequenceNumber(1) });
    expect((await env.metrics()).map((m) => m.price)).toEqual([150, 191]);
  });

  test('throttled DynamoDB write: only that record fails; the retry from it lands every row exactly once', async () => {
    let throttled = 0;
    const env = await freshEnv({
      dynamo: (input) => {
        if ((input.Item as { ts?: string } | undefined)?.ts === '2026-11-20T14:32:00.000Z' && throttled++ === 0) throttle();
      },
    });
    const event = kinesisEvent([0, 1, 2, 3].map((m) => stockTick({ ts: `2026-11-20T14:3${m}:00Z`, price: 190 + m })));

    const response = await env.handler(event);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(3) }] });
    expect(await env.parquetRows('sequence_number')).toEqual([{ sequence_number: sequenceNumber(1) }, { sequence_number: sequenceNumber(2) }]);
    expect((await env.metrics()).map((m) => m.sequenceNumber)).toEqual([1, 2, 4].map(sequenceNumber));

    const retry = await env.handler(redeliveryAfter(event, [sequenceNumber(3)]));

    expect(retry).toEqual({ batchItemFailures: [] });
    expect(await env.keys('processed')).toEqual([
      `processed/stocks/year=2026/month=11/day=20/${SHARD_ID}-${sequenceNumber(1)}.parquet`,
      `processed/stocks/year=2026/month=11/day=20/${SHARD_ID}-${sequenceNumber(3)}.parquet`,
    ]);
    expect(await env.parquetRows('sequence_number, price')).toEqual([1, 2, 3, 4].map((i) => ({ sequence_number: sequenceNumber(i), price: 189 + i })));
    expect((await env.metrics()).map((m) => m.sequenceNumber)).toEqual([1, 2, 3, 4].map(sequenceNumber));
    expect(await env.latest('STOCK#AAPL')).toMatchObject({ ts: '2026-11-20T14:33:00.000Z', price: 193 });
  });

  test('poison record (always fails): reported every time, the others land exactly once', async () => {
    const env = await freshEnv({
      dynamo: (input) => ((input.Item as { ts?: string } | undefined)?.ts === '2026-11-20T14:31:00.000Z' ? throttle() : undefined),
    });
    const event = kinesisEvent([0, 1, 2].map((m) => stockTick({ ts: `2026-11-20T14:3${m}:00Z` })));

    const attempts = [await env.handler(event), await env.handler(redeliveryAfter(event, [sequenceNumber(2)]))];

    expect(attempts).toEqual([{ batchItemFailures: [{ itemIdentifier: sequenceNumber(2) }] }, { batchItemFailures: [{ itemIdentifier: sequenceNumber(2) }] }]);
    // Lambda then sends record 2 to the on-failure queue and moves on: nothing else is missing or doubled.
    expect(await env.parquetRows('sequence_number')).toEqual([{ sequence_number: sequenceNumber(1) }]);
    expect((await env.metrics()).map((m) => m.sequenceNumber)).toEqual([sequenceNumber(1), sequenceNumber(3)]);
  });

  test('S3 failure writing Parquet: whole batch reported, the retry overwrites the same keys', async () => {
    let failures = 0;
    const env = await freshEnv({ s3: (input) => (String(input.Key).endsWith('.parquet') && failures++ === 0 ? throttle() : undefined) });
    const event = kinesisEvent([stockTick({ ts: '2026-11-20T14:30:00Z' }), stockTick({ ts: '2026-11-20T14:31:00Z' })]);

    const response = await env.handler(event);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(1) }, { itemIdentifier: sequenceNumber(2) }] });
    expect(await env.keys('processed')).toEqual([]);
    expect(await env.handler(event)).toEqual({ batchItemFailures: [] });
    expect(await env.keys('raw')).toEqual([`raw/stocks/dt=2026-11-20/${SHARD_ID}-${first}.json.gz`]);
    expect(await env.parquetRows('sequence_number')).toEqual([{ sequence_number: sequenceNumber(1) }, { sequence_number: sequenceNumber(2) }]);
  });

  test('every record failing throws, so Lambda bisects the batch', async () => {
    const env = await freshEnv({ dynamo: () => throttle() });
    await expect(env.handler(kinesisEvent([stockTick()]))).rejects.toBeInstanceOf(FullBatchFailureError);
    expect(await env.keys('processed')).toEqual([]);
  });

  test('a quarantine write that fails is retried, not dropped', async () => {
    const env = await freshEnv({ s3: (input) => (String(input.Key).startsWith('quarantine/') ? throttle() : undefined) });
    const response = await env.handler({ Records: [kinesisRecord(stockTick(), { seq: 1 }), kinesisRecord('{', { seq: 2 })] });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(2) }] });
    expect(await env.parquetRows('sequence_number')).toEqual([{ sequence_number: sequenceNumber(1) }]);
  });

  test('the Lambda entry point reads its env and reaches local services through AWS_ENDPOINT_URL_*', async () => {
    const env = await freshEnv();
    const saved = { ...process.env };
    Object.assign(process.env, {
      METRICS_TABLE_NAME: env.config.metricsTableName,
      LATEST_TABLE_NAME: env.config.latestTableName,
      RAW_BUCKET_NAME: env.config.rawBucketName,
      PROCESSED_BUCKET_NAME: env.config.processedBucketName,
      MAX_CLOCK_SKEW_SECONDS: '300',
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    try {
      expect(await lambdaHandler(kinesisEvent([stockTick()]))).toEqual({ batchItemFailures: [] });
    } finally {
      process.env = saved;
    }
    expect((await env.metrics()).map((m) => m.sequenceNumber)).toEqual([sequenceNumber(1)]);
    expect(await env.keys('processed')).toEqual([`processed/stocks/year=2026/month=11/day=20/${SHARD_ID}-${first}.parquet`]);
  });

  test('onLatestWrite receives the LatestTable item after each enricher write, not for stale ticks', async () => {
    const env = await freshEnv();
    const images: Record<string, unknown>[] = [];
    const handler = createHandler({ doc: ddb.doc, s3: s3.client, config: env.config, now: () => FIXED_NOW, onLatestWrite: (image) => void images.push(image) });
    await handler(kinesisEvent([stockTick({ ts: '2026-11-20T14:31:00Z', price: 191 }), stockTick({ ts: '2026-11-20T14:30:00Z' })], 1));
    await handler(kinesisEvent([stockTick({ ts: '2026-11-20T14:29:00Z' })], 3));
    expect(images.map((i) => [i.pk, i.ts, i.price])).toEqual([['STOCK#AAPL', '2026-11-20T14:31:00.000Z', 191]]);
    expect(images[0]).toEqual(await env.latest('STOCK#AAPL'));
  });
});
