/**
 * The poller against kinesalite (records really written and read back) and dynalite (the lease),
 * with Secrets Manager mocked and HTTP answered from test/fixtures/providers. kinesalite's
 * FailedRecordCount is always 0, so partial failures are injected at the client layer: the
 * "failed" entries are not sent at all and come back with an ErrorCode, as Kinesis reports them.
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  waitUntilStreamExists,
  type PutRecordsCommandOutput,
} from '@aws-sdk/client-kinesis';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { PartialWriteError } from '../../handlers/lib/errors';
import { observability } from '../../handlers/lib/observability';
import { SecretCache } from '../../handlers/lib/secrets';
import { createHandler, type PollerDeps } from '../../handlers/poller';
import type { PollerConfig } from '../../handlers/poller/config';
import { readLease } from '../../handlers/poller/lease';
import { fakeFetch, recorded, type Answer } from '../fixtures/providers';
import { pkTableDefinition, startDynalite, startKinesalite, type LocalDynamo, type LocalKinesis } from '../helpers/local-aws';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:market-data-AbCdEf';
const NOW = new Date('2026-11-20T15:00:00.000Z');

let kinesis: LocalKinesis;
let ddb: LocalDynamo;
const smMock = mockClient(SecretsManagerClient);
let counter = 0;

beforeAll(async () => {
  [kinesis, ddb] = await Promise.all([startKinesalite(), startDynalite()]);
});
afterAll(async () => {
  await Promise.all([kinesis.stop(), ddb.stop()]);
});
beforeEach(() => {
  smMock.reset();
  smMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: 'test-key-1' }) });
});

async function freshResources(): Promise<{ streamName: string; tableName: string }> {
  counter += 1;
  const streamName = `events-${counter}`;
  const tableName = `latest-${counter}`;
  await kinesis.client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
  await waitUntilStreamExists({ client: kinesis.client, maxWaitTime: 10, minDelay: 0.05 as number, maxDelay: 0.2 as number }, { StreamName: streamName });
  await ddb.client.send(new CreateTableCommand(pkTableDefinition(tableName)));
  return { streamName, tableName };
}

async function readStream(streamName: string): Promise<{ partitionKey: string; event: Record<string, unknown> }[]> {
  const shards = await kinesis.client.send(new ListShardsCommand({ StreamName: streamName }));
  const out: { partitionKey: string; event: Record<string, unknown> }[] = [];
  for (const shard of shards.Shards ?? []) {
    const it = await kinesis.client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    const recs = await kinesis.client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, Limit: 1000 }));
    for (const r of recs.Records ?? []) out.push({ partitionKey: r.PartitionKey!, event: JSON.parse(Buffer.from(r.Data!).toString('utf8')) });
  }
  return out;
}

/** Routes URLs to recorded answers; `answers[key]` is a list consumed one per call (last repeats). */
function providerRoutes(answers: Record<string, Answer[]>) {
  return fakeFetch((url, n) => {
    const key = Object.keys(answers).find((k) => url.includes(k));
    if (!key) throw new Error(`unexpected request ${url}`);
    const list = answers[key]!;
    return list[Math.min(n, list.length - 1)]!;
  });
}

const DEFAULT_ANSWERS = (): Record<string, Answer[]> => ({
  'symbol=MSFT': [recorded('finnhub/quote_MSFT')],
  'symbol=NVDA': [recorded('finnhub/quote_crash_NVDA')],
  'symbol=ZZZZ': [recorded('finnhub/quote_unknown_symbol_all_zero')],
  'latitude=52.374': [recorded('open-meteo/current_Amsterdam')],
  'latitude=59.9': [recorded('open-meteo/hourly_old_names_Oslo')],
});

function config(res: { streamName: string; tableName: string }, overrides: Partial<PollerConfig> = {}): PollerConfig {
  return {
    streamName: res.streamName,
    leaseTableName: res.tableName,
    symbols: ['MSFT', 'NVDA', 'ZZZZ'],
    cities: [
      { name: 'Amsterdam', latitude: 52.374, longitude: 4.89 },
      { name: 'Oslo', latitude: 59.9, longitude: 10.75 },
    ],
    marketDataSecretArn: SECRET_ARN,
    provider: 'finnhub',
    ...overrides,
  };
}

function deps(cfg: PollerConfig, fetch: PollerDeps['fetch'], extra: Partial<PollerDeps> = {}): PollerDeps & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    config: cfg,
    kinesis: kinesis.client,
    doc: ddb.doc,
    secrets: new SecretCache(new SecretsManagerClient({ region: 'us-east-1' }), { nowMs: () => NOW.getTime() }),
    ...(fetch ? { fetch } : {}),
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    sleeps,
    ...extra,
  };
}

/** A KinesisClient whose PutRecords fails the entries `fail(call, index)` picks, without sending them. */
function flakyKinesis(
  real: KinesisClient,
  fail: (call: number, index: number, partitionKey: string) => string | undefined,
): { client: KinesisClient; putCalls: string[][] } {
  let call = 0;
  const putCalls: string[][] = [];
  const client = {
    send: async (command: unknown) => {
      if (!(command instanceof PutRecordsCommand)) return real.send(command as never);
      const records = command.input.Records ?? [];
      putCalls.push(records.map((r) => r.PartitionKey!));
      const verdicts = records.map((r, i) => fail(call, i, r.PartitionKey!));
      call += 1;
      const passing = records.filter((_, i) => verdicts[i] === undefined);
      const sent = passing.length > 0 ? await real.send(new PutRecordsCommand({ ...command.input, Records: passing })) : { Records: [] };
      let k = 0;
      const merged = records.map((_, i) =>
        verdicts[i] === undefined
          ? sent.Records![k++]!
          : { ErrorCode: verdicts[i], ErrorMessage: `Rate exceeded for shard shardId-000000000000 in stream ${command.input.StreamName}` },
      );
      return { FailedRecordCount: verdicts.filter((v) => v !== undefined).length, Records: merged } as PutRecordsCommandOutput;
    },
  } as unknown as KinesisClient;
  return { client, putCalls };
}

describe('poller handler', () => {
  test('maps every provider answer, writes one record per event with the right partition key, reports no-data', async () => {
    const res = await freshResources();
    const http = providerRoutes(DEFAULT_ANSWERS());
    const handler = createHandler(deps(config(res), http.fetch));
    const summary = await handler({ source: 'scheduler' }, { awsRequestId: 'req-1' });

    expect(summary).toMatchObject({
      runId: 'req-1',
      status: 'completed',
      provider: 'finnhub',
      symbols: 3,
      cities: 2,
      events: 4,
      written: 4,
      writeFailures: [],
      rateLimited: [],
      failed: [],
      skipped: [],
    });
    expect(summary.noData).toEqual([{ provider: 'finnhub', entity: 'ZZZZ', reason: expect.stringContaining('all-zero') }]);
    const records = await readStream(res.streamName);
    expect(records.map((r) => r.partitionKey)).toEqual(['MSFT', 'NVDA', 'Amsterdam', 'Oslo']);
    expect(records[1]!.event).toEqual({
      schemaVersion: 1,
      type: 'stock',
      symbol: 'NVDA',
      ts: '2025-11-20T20:00:00.000Z',
      price: 162,
      open: 179.9,
      high: 181.5,
      low: 160.25,
      prevClose: 180,
      volume: 0,
      source: 'finnhub',
    });
    expect(records[2]!.event).toMatchObject({ type: 'weather', city: 'Amsterdam', tempC: 7.4, ts: '2026-11-20T14:15:00.000Z' });
    // The key went in the header, never in a URL.
    expect(http.calls.every((c) => !c.url.includes('test-key-1'))).toBe(true);
    expect(http.calls.find((c) => c.url.includes('MSFT'))!.init!.headers!['X-Finnhub-Token']).toBe('test-key-1');
    // The lease was released and holds the cursor.
    expect(await readLease(ddb.doc, res.tableName)).toMatchObject({
      pk: 'LEASE#poller',
      owner: 'req-1',
      expiresAt: NOW.getTime() / 1000,
      lastCompletedAt: NOW.toISOString(),
      lastSummary: { events: 4, written: 4 },
    });
  });

  test('the API key is cached across invocations and re-read after the TTL', async () => {
    const res = await freshResources();
    let nowMs = NOW.getTime();
    const d = deps(config(res, { cities: [] }), providerRoutes(DEFAULT_ANSWERS()).fetch, {
      secrets: new SecretCache(new SecretsManagerClient({ region: 'us-east-1' }), { ttlMs: 60_000, nowMs: () => nowMs }),
    });
    const handler = createHandler(d);
    await handler({}, { awsRequestId: 'a' });
    await handler({}, { awsRequestId: 'b' });
    expect(smMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    nowMs += 60_001;
    await handler({}, { awsRequestId: 'c' });
    expect(smMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(smMock.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN });
  });

  test('HTTP 429 with Retry-After backs off and retries; a persistent 429 is reported and pauses the provider', async () => {
    const res = await freshResources();
    const answers = DEFAULT_ANSWERS();
    answers['symbol=MSFT'] = [recorded('finnhub/error_429_api_limit', { headers: { 'retry-after': '2' } }), recorded('finnhub/quote_MSFT')];
    answers['symbol=NVDA'] = [recorded('finnhub/error_429_api_limit', { headers: { 'retry-after': '1' } })];
    const http = providerRoutes(answers);
    const obs = observability('poller-test');
    const metricSpy = jest.spyOn(obs.metrics, 'addMetric');
    const warnSpy = jest.spyOn(obs.logger, 'warn');
    const d = deps(config(res), http.fetch, { obs, pollOptions: { concurrency: 1 } });
    const summary = await createHandler(d)({}, { awsRequestId: 'r' });

    expect(d.sleeps).toEqual([2000, 1000, 1000]);
    expect(summary.rateLimited).toEqual([
      { provider: 'finnhub', entity: 'NVDA', reason: expect.stringMatching(/HTTP 429: API limit reached.*still limited after 3 attempts/) },
    ]);
    expect(summary.skipped).toEqual([{ provider: 'finnhub', entity: 'ZZZZ', reason: 'finnhub paused for this run: rate limited' }]);
    expect(http.calls.filter((c) => c.url.includes('ZZZZ'))).toHaveLength(0);
    expect(summary.waitedMs).toBe(4000);
    // The others still went out.
    expect((await readStream(res.streamName)).map((r) => r.partitionKey)).toEqual(['MSFT', 'Amsterdam', 'Oslo']);
    expect(metricSpy).toHaveBeenCalledWith('ProviderRateLimited', 'Count', 1);
    expect(metricSpy).toHaveBeenCalledWith('ProviderSkipped', 'Count', 1);
    expect(warnSpy).toHaveBeenCalledWith(expect.stringContaining('rate limits'), expect.objectContaining({ rateLimited: summary.rateLimited }));
  });

  test('a Retry-After longer than maxWaitMs is not waited for', async () => {
    const res = await freshResources();
    const answers = DEFAULT_ANSWERS();
    answers['symbol=MSFT'] = [recorded('finnhub/error_429_api_limit', { headers: { 'retry-after': '60' } })];
    const d = deps(config(res, { symbols: ['MSFT'], cities: [] }), providerRoutes(answers).fetch);
    const summary = await createHandler(d)({}, { awsRequestId: 'r' });
    expect(d.sleeps).toEqual([]);
    expect(summary.rateLimited[0]!.reason).toContain('Retry-After 60000 ms exceeds 5000 ms');
  });

  test('Alpha Vantage: "Note" (HTTP 200) backs off and succeeds; the daily "Information" pauses the provider', async () => {
    const res = await freshResources();
    const answers: Record<string, Answer[]> = {
      'symbol=IBM': [recorded('alphavantage/note_rate_limit_per_minute'), recorded('alphavantage/global_quote_IBM')],
      'symbol=MSFT': [recorded('alphavantage/information_rate_limit_per_day')],
      'symbol=AAPL': [recorded('alphavantage/global_quote_IBM')],
    };
    const http = providerRoutes(answers);
    const d = deps(config(res, { provider: 'alphavantage', symbols: ['IBM', 'MSFT', 'AAPL'], cities: [] }), http.fetch, { pollOptions: { concurrency: 1 } });
    const summary = await createHandler(d)({}, { awsRequestId: 'r' });
    expect(d.sleeps).toEqual([375]); // backoff attempt 0: base 500, random 0.5 → 250 + 125
    expect(summary.events).toBe(1);
    expect(summary.rateLimited).toEqual([{ provider: 'alphavantage', entity: 'MSFT', reason: expect.stringContaining('25 requests per day') }]);
    expect(summary.skipped.map((s) => s.entity)).toEqual(['AAPL']);
    expect(http.calls[0]!.url).toContain('apikey=test-key-1');
    expect((await readStream(res.streamName))[0]!.event).toMatchObject({ symbol: 'IBM', source: 'alphavantage', volume: 3981572 });
  });

  test('a rejected key (401) is reported, pauses the provider, and the key cache is dropped so the next run re-reads it', async () => {
    const res = await freshResources();
    const answers = DEFAULT_ANSWERS();
    answers['symbol=MSFT'] = [recorded('finnhub/error_401_invalid_key')];
    const d = deps(config(res), providerRoutes(answers).fetch, { pollOptions: { concurrency: 1 } });
    const handler = createHandler(d);
    const summary = await handler({}, { awsRequestId: 'r1' });
    expect(summary.failed).toEqual([{ provider: 'finnhub', entity: 'MSFT', reason: 'finnhub rejected the API key (HTTP 401): Invalid API key' }]);
    expect(summary.skipped.map((s) => s.entity)).toEqual(['NVDA', 'ZZZZ']);
    expect(summary.written).toBe(2); // the weather still went out
    await handler({}, { awsRequestId: 'r2' });
    expect(smMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  test('Secrets Manager down: stocks are reported failed, weather is still written', async () => {
    const res = await freshResources();
    smMock.reset();
    smMock
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('Secrets Manager can’t find the specified secret.'), { name: 'ResourceNotFoundException' }));
    const summary = await createHandler(deps(config(res), providerRoutes(DEFAULT_ANSWERS()).fetch))({}, { awsRequestId: 'r' });
    expect(summary.failed.map((f) => f.entity)).toEqual(['MSFT', 'NVDA', 'ZZZZ']);
    expect(summary.failed[0]!.reason).toContain('the market data key could not be read');
    expect((await readStream(res.streamName)).map((r) => r.partitionKey)).toEqual(['Amsterdam', 'Oslo']);
  });

  test('a network error and a 5xx are retried with backoff', async () => {
    const res = await freshResources();
    let calls = 0;
    const http = fakeFetch((url) => {
      calls += 1;
      if (calls === 1) throw new TypeError('fetch failed');
      if (calls === 2) return { status: 503, body: 'Service Unavailable' };
      return recorded('open-meteo/current_Amsterdam');
    });
    const d = deps(config(res, { symbols: [], cities: [{ name: 'Amsterdam', latitude: 52.374, longitude: 4.89 }] }), http.fetch);
    const summary = await createHandler(d)({}, { awsRequestId: 'r' });
    expect(summary.written).toBe(1);
    expect(d.sleeps).toEqual([375, 750]);
  });

  test('PutRecords partial failure: only the failed entries are resent, each event lands exactly once', async () => {
    const res = await freshResources();
    const flaky = flakyKinesis(kinesis.client, (call, _i, pk) =>
      call === 0 && (pk === 'NVDA' || pk === 'Oslo') ? 'ProvisionedThroughputExceededException' : undefined,
    );
    const d = deps(config(res), providerRoutes(DEFAULT_ANSWERS()).fetch, { kinesis: flaky.client });
    const summary = await createHandler(d)({}, { awsRequestId: 'r' });
    expect(flaky.putCalls).toEqual([
      ['MSFT', 'NVDA', 'Amsterdam', 'Oslo'],
      ['NVDA', 'Oslo'],
    ]);
    expect(summary).toMatchObject({ events: 4, written: 4, writeFailures: [] });
    expect((await readStream(res.streamName)).map((r) => r.partitionKey).sort()).toEqual(['Amsterdam', 'MSFT', 'NVDA', 'Oslo']);
  });

  test('entries still failing after the bounded retries fail the invocation (Scheduler retries) and the lease is released', async () => {
    const res = await freshResources();
    const flaky = flakyKinesis(kinesis.client, (_call, _i, pk) => (pk === 'NVDA' ? 'InternalFailure' : undefined));
    const d = deps(config(res), providerRoutes(DEFAULT_ANSWERS()).fetch, { kinesis: flaky.client, putOptions: { maxAttempts: 3 } });
    await expect(createHandler(d)({}, { awsRequestId: 'r' })).rejects.toThrow(PartialWriteError);
    await expect(createHandler(d)({}, { awsRequestId: 'r2' })).rejects.toThrow(/1 of 4 records were not written after retries \(NVDA: InternalFailure\)/);
    expect(flaky.putCalls.slice(0, 3)).toEqual([['MSFT', 'NVDA', 'Amsterdam', 'Oslo'], ['NVDA'], ['NVDA']]);
    expect(d.sleeps.slice(0, 2)).toEqual([75, 150]);
    expect(await readLease(ddb.doc, res.tableName)).toMatchObject({ owner: 'r2', expiresAt: NOW.getTime() / 1000, lastSummary: { written: 3 } });
  });

  test('overlapping runs (RELIABILITY 9): while one run holds the lease, a second run does nothing', async () => {
    const res = await freshResources();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = fakeFetch((url) => {
      const answers = DEFAULT_ANSWERS();
      const key = Object.keys(answers).find((k) => url.includes(k))!;
      return answers[key]![0]!;
    });
    const slowFetch: PollerDeps['fetch'] = async (url, init) => {
      await gate;
      return slow.fetch(url, init);
    };
    const first = createHandler(deps(config(res), slowFetch))({}, { awsRequestId: 'first' });
    // Let the first run take the lease before the second starts.
    for (let i = 0; i < 50 && (await readLease(ddb.doc, res.tableName)) === undefined; i += 1) await new Promise((r) => setTimeout(r, 10));
    const secondHttp = providerRoutes(DEFAULT_ANSWERS());
    const second = await createHandler(deps(config(res), secondHttp.fetch))({}, { awsRequestId: 'second' });
    expect(second).toMatchObject({ status: 'lease-held', events: 0, written: 0 });
    expect(secondHttp.calls).toHaveLength(0);
    release();
    expect((await first).status).toBe('completed');
    expect(await readStream(res.streamName)).toHaveLength(4);
    // After release, the next run may poll again.
    const third = await createHandler(deps(config(res), providerRoutes(DEFAULT_ANSWERS()).fetch))({}, { awsRequestId: 'third' });
    expect(third.status).toBe('completed');
  });

  test('an expired lease (crashed run) is taken over', async () => {
    const res = await freshResources();
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await ddb.doc.send(
      new PutCommand({
        TableName: res.tableName,
        Item: { pk: 'LEASE#poller', owner: 'crashed', acquiredAt: '2026-11-20T14:50:00.000Z', expiresAt: NOW.getTime() / 1000 - 1 },
      }),
    );
    const summary = await createHandler(deps(config(res), providerRoutes(DEFAULT_ANSWERS()).fetch))({}, { awsRequestId: 'new' });
    expect(summary.status).toBe('completed');
    await ddb.doc.send(
      new PutCommand({
        TableName: res.tableName,
        Item: { pk: 'LEASE#poller', owner: 'live', acquiredAt: NOW.toISOString(), expiresAt: NOW.getTime() / 1000 + 60 },
      }),
    );
    expect((await createHandler(deps(config(res), providerRoutes(DEFAULT_ANSWERS()).fetch))({}, { awsRequestId: 'late' })).status).toBe('lease-held');
  });
});
