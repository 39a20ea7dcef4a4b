/**
 * DLQ replay against kinesalite (records really read back and re-put) with SQS as a small
 * in-memory queue behind aws-sdk-client-mock (receive → invisible, delete, visibility reset).
 * On-failure messages are built in the documented shape from the sequence numbers kinesalite
 * assigned.
 */
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  PutRecordsCommand,
  waitUntilStreamExists,
  type PutRecordsCommandOutput,
} from '@aws-sdk/client-kinesis';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { parseCli } from '../../tools/lib/cli';
import { UsageError } from '../../tools/lib/errors';
import { parseQueueUrl, REPLAY_CLI as SPEC, resolveReplayOptions as resolveOptions } from '../../tools/lib/replay-dlq';
import { fileMarkerStore, markerKey, memoryMarkerStore, parseOnFailureMessage, replayDlq, type KinesisBatchInfo } from '../../tools/lib/replay-dlq';
import { startKinesalite, type LocalKinesis } from '../helpers/local-aws';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/enricher-on-failure';
let kinesis: LocalKinesis;
let n = 0;

beforeAll(async () => {
  kinesis = await startKinesalite();
});
afterAll(async () => {
  await kinesis.stop();
});

async function streamWith(partitionKeys: string[]): Promise<{ stream: string; arn: string; seqs: string[]; shardId: string }> {
  n += 1;
  const stream = `events-${n}`;
  await kinesis.client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
  await waitUntilStreamExists({ client: kinesis.client, maxWaitTime: 10, minDelay: 0.05 as number, maxDelay: 0.2 as number }, { StreamName: stream });
  const out = await kinesis.client.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: partitionKeys.map((pk, i) => ({ PartitionKey: pk, Data: Buffer.from(JSON.stringify({ symbol: pk, i })) })),
    }),
  );
  return {
    stream,
    arn: `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`,
    seqs: out.Records!.map((r) => r.SequenceNumber!),
    shardId: out.Records![0]!.ShardId!,
  };
}

async function readAll(stream: string): Promise<string[]> {
  const it = await kinesis.client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
  const out = await kinesis.client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, Limit: 1000 }));
  return (out.Records ?? []).map((r) => r.PartitionKey!);
}

/** The documented on-failure record for a Kinesis batch. */
function onFailureBody(batch: Omit<KinesisBatchInfo, 'approximateArrivalOfFirstRecord' | 'approximateArrivalOfLastRecord'>): string {
  return JSON.stringify({
    requestContext: {
      requestId: 'c9b8fa9f-5a7f-4a0c-af9c-0c604cde93a5',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:enricher',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-11-20T15:00:06.021Z',
    KinesisBatchInfo: { ...batch, approximateArrivalOfFirstRecord: '2026-11-20T15:00:04.835Z', approximateArrivalOfLastRecord: '2026-11-20T15:00:05.580Z' },
  });
}

/** An in-memory SQS queue behind aws-sdk-client-mock. */
function fakeQueue(bodies: string[]) {
  const sqsMock = mockClient(SQSClient);
  const messages = bodies.map((Body, i) => ({ MessageId: `msg-${i + 1}`, Body, visible: true, receipts: 0 }));
  sqsMock.on(ReceiveMessageCommand).callsFake((input) => {
    const picked = messages.filter((m) => m.visible).slice(0, input.MaxNumberOfMessages ?? 1);
    for (const m of picked) {
      m.visible = false;
      m.receipts += 1;
    }
    return { Messages: picked.map((m): Message => ({ MessageId: m.MessageId, Body: m.Body, ReceiptHandle: `${m.MessageId}#${m.receipts}` })) };
  });
  sqsMock.on(DeleteMessageCommand).callsFake((input) => {
    const i = messages.findIndex((m) => input.ReceiptHandle!.startsWith(`${m.MessageId}#`));
    if (i >= 0) messages.splice(i, 1);
    return {};
  });
  sqsMock.on(ChangeMessageVisibilityCommand).callsFake((input) => {
    const m = messages.find((x) => input.ReceiptHandle!.startsWith(`${x.MessageId}#`));
    if (m && input.VisibilityTimeout === 0) m.visible = true;
    return {};
  });
  return {
    sqs: new SQSClient({ region: 'us-east-1' }),
    messages,
    sqsMock,
    makeAllVisible: () => {
      for (const m of messages) m.visible = true;
    },
  };
}

describe('replay-dlq', () => {
  afterEach(() => mockClient(SQSClient).restore());

  test('replays exactly the batch range, deletes the message, and a second run (or a duplicate message) writes nothing', async () => {
    const s = await streamWith(['AAPL', 'MSFT', 'NVDA', 'TSLA']);
    const body = onFailureBody({ shardId: s.shardId, startSequenceNumber: s.seqs[1]!, endSequenceNumber: s.seqs[2]!, batchSize: 2, streamArn: s.arn });
    const q = fakeQueue([body, body]); // the same failure delivered twice
    const markers = memoryMarkerStore();
    const lines: string[] = [];
    const report = await replayDlq({
      sqs: q.sqs,
      kinesis: kinesis.client,
      queueUrl: QUEUE,
      markers,
      log: (l) => lines.push(l),
      now: () => new Date('2026-11-20T16:00:00Z'),
    });
    expect(report.outcomes).toEqual([
      { messageId: 'msg-1', status: 'replayed', records: 2, stream: s.stream },
      { messageId: 'msg-2', status: 'already-replayed', at: '2026-11-20T16:00:00.000Z' },
    ]);
    expect(report.deleted).toBe(2);
    expect(q.messages).toHaveLength(0);
    expect(await readAll(s.stream)).toEqual(['AAPL', 'MSFT', 'NVDA', 'TSLA', 'MSFT', 'NVDA']);
    const key = markerKey({ shardId: s.shardId, startSequenceNumber: s.seqs[1]!, endSequenceNumber: s.seqs[2]!, batchSize: 2, streamArn: s.arn });
    expect(markers.markers.get(key)).toMatchObject({ status: 'done', written: [0, 1] });
    expect(lines[0]).toContain('replayed 2 records');
  });

  test('a crash after the put but before the delete: the next run deletes the message without re-putting', async () => {
    const s = await streamWith(['AAPL', 'MSFT']);
    const body = onFailureBody({ shardId: s.shardId, startSequenceNumber: s.seqs[0]!, endSequenceNumber: s.seqs[1]!, batchSize: 2, streamArn: s.arn });
    const q = fakeQueue([body]);
    const markers = memoryMarkerStore();
    q.sqsMock.on(DeleteMessageCommand).rejectsOnce(Object.assign(new Error('connection reset'), { name: 'TimeoutError' }));
    await expect(replayDlq({ sqs: q.sqs, kinesis: kinesis.client, queueUrl: QUEUE, markers })).rejects.toThrow('connection reset');
    q.makeAllVisible();
    q.sqsMock.on(DeleteMessageCommand).callsFake(() => {
      q.messages.splice(0, 1);
      return {};
    });
    const report = await replayDlq({ sqs: q.sqs, kinesis: kinesis.client, queueUrl: QUEUE, markers });
    expect(report.outcomes.map((o) => o.status)).toEqual(['already-replayed']);
    expect(await readAll(s.stream)).toEqual(['AAPL', 'MSFT', 'AAPL', 'MSFT']);
    expect(q.messages).toHaveLength(0);
  });

  test('a partial PutRecords failure keeps the message; the re-run puts only the missing records', async () => {
    const s = await streamWith(['AAPL', 'MSFT', 'NVDA']);
    const body = onFailureBody({ shardId: s.shardId, startSequenceNumber: s.seqs[0]!, endSequenceNumber: s.seqs[2]!, batchSize: 3, streamArn: s.arn });
    const q = fakeQueue([body]);
    const markers = memoryMarkerStore();
    // PutRecords rejects NVDA every time during the first run (kinesalite never fails records itself).
    const flaky = {
      send: async (command: unknown) => {
        if (!(command instanceof PutRecordsCommand)) return kinesis.client.send(command as never);
        const records = command.input.Records!;
        const ok = records.filter((r) => r.PartitionKey !== 'NVDA');
        const sent = ok.length ? await kinesis.client.send(new PutRecordsCommand({ ...command.input, Records: ok })) : { Records: [] };
        let k = 0;
        return {
          FailedRecordCount: records.length - ok.length,
          Records: records.map((r) =>
            r.PartitionKey === 'NVDA' ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' } : sent.Records![k++]!,
          ),
        } as PutRecordsCommandOutput;
      },
    } as unknown as KinesisClient;
    const first = await replayDlq({ sqs: q.sqs, kinesis: flaky, queueUrl: QUEUE, markers, putOptions: { maxAttempts: 2, sleep: async () => {} } });
    expect(first.outcomes).toEqual([{ messageId: 'msg-1', status: 'skipped', reason: expect.stringContaining('1 of 3 records were not accepted') }]);
    expect(q.messages).toHaveLength(1);
    expect(q.messages[0]!.visible).toBe(true); // released for the next run
    const second = await replayDlq({ sqs: q.sqs, kinesis: kinesis.client, queueUrl: QUEUE, markers });
    expect(second.outcomes).toEqual([{ messageId: 'msg-1', status: 'replayed', records: 1, stream: s.stream }]);
    expect(await readAll(s.stream)).toEqual(['AAPL', 'MSFT', 'NVDA', 'AAPL', 'MSFT', 'NVDA']);
    expect(q.messages).toHaveLength(0);
  });

  test('--dry-run writes and deletes nothing and leaves every message visible', async () => {
    const s = await streamWith(['AAPL', 'MSFT']);
    const q = fakeQueue([
      onFailureBody({ shardId: s.shardId, startSequenceNumber: s.seqs[0]!, endSequenceNumber: s.seqs[1]!, batchSize: 2, streamArn: s.arn }),
    ]);
    const markers = memoryMarkerStore();
    const lines: string[] = [];
    const report = await replayDlq({ sqs: q.sqs, kinesis: kinesis.client, queueUrl: QUEUE, markers, dryRun: true, log: (l) => lines.push(l) });
    expect(report.outcomes).toEqual([{ messageId: 'msg-1', status: 'would-replay', records: 2, stream: s.stream }]);
    expect(lines[0]).toContain('would replay 2 of 2 records (AAPL, MSFT)');
    expect(report.deleted).toBe(0);
    expect(q.messages.map((m) => m.visible)).toEqual([true]);
    expect(markers.markers.size).toBe(0);
    expect(await readAll(s.stream)).toEqual(['AAPL', 'MSFT']);
  });

  test('prints why a message cannot be replayed and keeps it: expired records, missing stream, bad body, DynamoDB batch', async () => {
    const s = await streamWith(['AAPL', 'MSFT', 'NVDA']);
    const expiredStart = s.seqs[0]!;
    // Past the retention, Kinesis starts the iterator at the trim horizon: the first record returned is later than the batch start.
    const trimmed = {
      send: async (command: unknown) => {
        if (command instanceof GetShardIteratorCommand && command.input.StartingSequenceNumber === expiredStart) {
          return kinesis.client.send(new GetShardIteratorCommand({ ...command.input, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' }));
        }
        return kinesis.client.send(command as never);
      },
    } as unknown as KinesisClient;
    const q = fakeQueue([
      onFailureBody({ shardId: s.shardId, startSequenceNumber: expiredStart, endSequenceNumber: s.seqs[1]!, batchSize: 2, streamArn: s.arn }),
      onFailureBody({
        shardId: s.shardId,
        startSequenceNumber: s.seqs[0]!,
        endSequenceNumber: s.seqs[0]!,
        batchSize: 1,
        streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/deleted-stream',
      }),
      '{"message": "foo1"}',
      JSON.stringify({
        requestContext: { requestId: 'r', functionArn: 'f', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1 },
        DDBStreamBatchInfo: { shardId: 'shardId-00000001573689847184-864758bb', startSequenceNumber: '800000000003126276362' },
      }),
    ]);
    const report = await replayDlq({ sqs: q.sqs, kinesis: trimmed, queueUrl: QUEUE, markers: memoryMarkerStore() });
    expect(report.outcomes.map((o) => (o.status === 'skipped' ? o.reason : o.status))).toEqual([
      expect.stringContaining("expired past the stream's retention and cannot be replayed"),
      expect.stringContaining('stream deleted-stream or shard shardId-000000000000 does not exist'),
      'not a Lambda on-failure record: no requestContext',
      expect.stringContaining('a DynamoDB Streams batch'),
    ]);
    expect(q.messages).toHaveLength(4);
    expect(q.messages.every((m) => m.visible)).toBe(true);
    expect(await readAll(s.stream)).toEqual(['AAPL', 'MSFT', 'NVDA']);
  });

  test('--stream overrides the stream in the message; --max stops after N messages', async () => {
    const s = await streamWith(['AAPL', 'MSFT']);
    const bodies = s.seqs.map((seq) =>
      onFailureBody({
        shardId: s.shardId,
        startSequenceNumber: seq,
        endSequenceNumber: seq,
        batchSize: 1,
        streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/renamed',
      }),
    );
    const q = fakeQueue(bodies);
    const report = await replayDlq({ sqs: q.sqs, kinesis: kinesis.client, queueUrl: QUEUE, markers: memoryMarkerStore(), streamName: s.stream, max: 1 });
    expect(report.outcomes).toEqual([{ messageId: 'msg-1', status: 'replayed', records: 1, stream: s.stream }]);
    expect(q.messages.map((m) => [m.MessageId, m.visible])).toEqual([['msg-2', true]]);
    expect(await readAll(s.stream)).toEqual(['AAPL', 'MSFT', 'AAPL']);
  });

  test('a replay that crashed mid-put (marker "started") is not repeated without --force', async () => {
    const s = await streamWith(['AAPL']);
    const batch = { shardId: s.shardId, startSequenceNumber: s.seqs[0]!, endSequenceNumber: s.seqs[0]!, batchSize: 1, streamArn: s.arn };
    const dir = mkdtempSync(join(tmpdir(), 'replay-markers-'));
    try {
      const markers = fileMarkerStore(join(dir, 'markers.json'));
      await markers.put(markerKey(batch), { status: 'started', written: [], updatedAt: '2026-11-20T15:59:00.000Z' });
      const q = fakeQueue([onFailureBody(batch)]);
      const first = await replayDlq({ sqs: q.sqs, kinesis: kinesis.client, queueUrl: QUEUE, markers });
      expect(first.outcomes[0]).toMatchObject({ status: 'skipped', reason: expect.stringContaining('re-run with --force') });
      const forced = await replayDlq({ sqs: q.sqs, kinesis: kinesis.client, queueUrl: QUEUE, markers, force: true });
      expect(forced.outcomes[0]).toMatchObject({ status: 'replayed', records: 1 });
      expect(await markers.get(markerKey(batch))).toMatchObject({ status: 'done', written: [0] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [
      '{"requestContext":{},"KinesisBatchInfo":{"shardId":"s","startSequenceNumber":"x","endSequenceNumber":"1","batchSize":1,"streamArn":"arn:aws:kinesis:us-east-1:1:stream/a"}}',
      /malformed startSequenceNumber/,
    ],
    [
      '{"requestContext":{},"KinesisBatchInfo":{"shardId":"s","startSequenceNumber":"2","endSequenceNumber":"1","batchSize":1,"streamArn":"arn:aws:kinesis:us-east-1:1:stream/a"}}',
      /before startSequenceNumber/,
    ],
    [
      '{"requestContext":{},"KinesisBatchInfo":{"shardId":"s","startSequenceNumber":"1","endSequenceNumber":"1","batchSize":0,"streamArn":"nope"}}',
      /streamArn, batchSize/,
    ],
    ['Test message.', /body is not JSON/],
  ])('parseOnFailureMessage rejects %s', (body, reason) => {
    const out = parseOnFailureMessage(body);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.reason).toMatch(reason);
  });

  const AWS_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/stockwx-dev-enricher-dlq';
  const options = (argv: string[]) => resolveOptions(parseCli(SPEC, argv));

  test.each<[string[], Record<string, unknown>]>([
    [['--queue', AWS_QUEUE], { queueUrl: AWS_QUEUE, region: 'eu-west-1', dryRun: false, force: false, markerFile: '.cache/replay-dlq-markers.json' }],
    [['--queue', AWS_QUEUE, '--region', 'eu-west-1'], { region: 'eu-west-1' }],
    [[`--queue=${AWS_QUEUE}`, '--stream=s', '--dry-run', '--max', '5'], { stream: 's', dryRun: true, max: 5 }],
    [['--queue', 'https://eu-west-1.queue.amazonaws.com/123456789012/q'], { region: 'eu-west-1' }],
    [['--queue', 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q.fifo'], { region: 'cn-north-1' }],
    [
      ['--queue', QUEUE, '--endpoint-url', 'http://127.0.0.1:4566/', '--region', 'us-east-1'],
      { queueUrl: QUEUE, region: 'us-east-1', endpointUrl: 'http://127.0.0.1:4566' },
    ],
    [['--queue', 'http://127.0.0.1:4566/000000000000/dlq', '--endpoint-url', 'http://127.0.0.1:4566', '--region', 'eu-west-1'], { region: 'eu-west-1' }],
  ])('CLI args %j', (argv, expected) => {
    expect(options(argv)).toMatchObject(expected);
  });

  test.each<[string[], string]>([
    [[], '--queue is required'],
    [['--queue', 'not-a-url'], '--queue not-a-url: not a URL (expected https://sqs.<region>.amazonaws.com/<account>/<queue>)'],
    [
      ['--queue', 'https://example.com/123456789012/q'],
      '--queue https://example.com/123456789012/q: not an AWS SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>); for a local queue pass --endpoint-url and --region',
    ],
    [
      ['--queue', 'https://sqs.us-east-1.amazonaws.com/q'],
      '--queue https://sqs.us-east-1.amazonaws.com/q: its path is not /<12-digit account>/<queue name> (got "/q")',
    ],
    [['--queue', 'https://s3.us-east-1.amazonaws.com/123456789012/q'], 'is not an SQS endpoint'],
    [['--queue', 'ftp://sqs.us-east-1.amazonaws.com/123456789012/q'], 'not an http(s) URL'],
    [['--queue', AWS_QUEUE, '--region', 'us-east-1'], '--region us-east-1 contradicts the queue URL, which is in eu-west-1; drop --region'],
    [['--queue', AWS_QUEUE, '--region', 'Mars'], "--region must be an AWS region name such as us-east-1 (got 'Mars')"],
    [
      ['--queue', QUEUE, '--endpoint-url', 'not-a-url', '--region', 'us-east-1'],
      "--endpoint-url must be an http:// or https:// URL such as http://localhost:4566 (got 'not-a-url')",
    ],
    [['--queue', 'http://127.0.0.1:4566/000000000000/dlq', '--endpoint-url', 'http://127.0.0.1:4566'], '--region is required for a local queue URL'],
    [['--queue', 'http://127.0.0.1:4566/000000000000/dlq'], 'not an AWS SQS queue URL'],
    [['--queue', AWS_QUEUE, '--max', '0'], "--max must be a whole number ≥ 1 (got '0')"],
    [['--queue', AWS_QUEUE, '--marker-table', 't', '--marker-file', 'f'], '--marker-table and --marker-file exclude each other'],
  ])('CLI rejects %j before any network call (UsageError, exit 2)', (argv, message) => {
    let error: unknown;
    try {
      options(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
  });

  test.each([['--bogus'], ['--queue']])('CLI rejects %s (parseArgs, UsageError)', (flag) => {
    expect(() => parseCli(SPEC, [flag])).toThrow(UsageError);
  });

  test('parseQueueUrl takes the region from the host', () => {
    expect(parseQueueUrl(AWS_QUEUE)).toEqual({ url: AWS_QUEUE, region: 'eu-west-1', accountId: '123456789012', queueName: 'stockwx-dev-enricher-dlq' });
  });

  test('the command refuses a bad --queue with exit 2 and one line, before any network call', () => {
    // No credentials or region in the environment: a network call would fail differently.
    const r = spawnSync(process.execPath, ['tools/run.cjs', 'tools/replay-dlq.ts', '--queue', 'not-a-url'], {
      cwd: path.resolve(__dirname, '..', '..'),
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('replay-dlq: --queue not-a-url: not a URL (expected https://sqs.<region>.amazonaws.com/<account>/<queue>)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
