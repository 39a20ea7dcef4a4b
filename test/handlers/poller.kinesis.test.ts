/** lib/kinesis.ts: PutRecords limits and retry rules, with the Kinesis client mocked per request. */
import { KinesisClient, PutRecordsCommand, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { PartialWriteError } from '../../handlers/lib/errors';
import { assertAllWritten, jsonEntry, putRecordsReliably } from '../../handlers/lib/kinesis';

const kinesisMock = mockClient(KinesisClient);
const client = new KinesisClient({ region: 'us-east-1' });
const okFor = (input: PutRecordsCommandInput) => ({
  FailedRecordCount: 0,
  Records: input.Records!.map((_, i) => ({ SequenceNumber: String(1000 + i), ShardId: 'shardId-000000000000' })),
});
const noSleep = async () => {};

beforeEach(() => kinesisMock.reset());

test('more than 500 entries are split into requests of at most 500', async () => {
  kinesisMock.on(PutRecordsCommand).callsFake(okFor);
  const entries = Array.from({ length: 1201 }, (_, i) => jsonEntry(`S${i % 7}`, { i }));
  const out = await putRecordsReliably(client, 's', entries, { sleep: noSleep });
  expect(kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length)).toEqual([500, 500, 201]);
  expect(out).toMatchObject({ written: 1201, failed: [], requests: 3, retriedEntries: 0 });
});

test('requests stay under 5 MiB', async () => {
  kinesisMock.on(PutRecordsCommand).callsFake(okFor);
  const big = Buffer.alloc(900 * 1024, 1);
  const out = await putRecordsReliably(
    client,
    's',
    Array.from({ length: 12 }, () => ({ partitionKey: 'p', data: big })),
    { sleep: noSleep },
  );
  const sizes = kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length);
  expect(sizes).toEqual([5, 5, 2]);
  expect(out.written).toBe(12);
});

test('a record over 1 MiB is reported, never sent, and the rest still go', async () => {
  kinesisMock.on(PutRecordsCommand).callsFake(okFor);
  const out = await putRecordsReliably(client, 's', [jsonEntry('A', 1), { partitionKey: 'B', data: Buffer.alloc(1024 * 1024) }], { sleep: noSleep });
  expect(out.written).toBe(1);
  expect(out.failed).toEqual([
    { index: 1, partitionKey: 'B', errorCode: 'RecordTooLarge', errorMessage: expect.stringContaining('exceeds the 1 MiB Kinesis limit') },
  ]);
  expect(() => assertAllWritten(out, 's')).toThrow(PartialWriteError);
});

test('a whole-request throttle retries everything; an unknown error is thrown', async () => {
  kinesisMock
    .on(PutRecordsCommand)
    .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }))
    .callsFake(okFor);
  const sleeps: number[] = [];
  const out = await putRecordsReliably(client, 's', [jsonEntry('A', 1), jsonEntry('B', 2)], { sleep: async (ms) => void sleeps.push(ms), random: () => 0 });
  expect(out).toMatchObject({ written: 2, requests: 2, retriedEntries: 2 });
  expect(sleeps).toEqual([50]);
  kinesisMock.reset();
  kinesisMock.on(PutRecordsCommand).rejects(Object.assign(new Error('Stream s not found'), { name: 'ResourceNotFoundException' }));
  await expect(putRecordsReliably(client, 's', [jsonEntry('A', 1)], { sleep: noSleep })).rejects.toThrow('Stream s not found');
});

test.each([
  [1, [] as number[]],
  [3, [50, 100]],
  [5, [50, 100, 200, 400]],
])('maxAttempts %i: bounded backoff %j, then the failed entry is returned with its last error', async (maxAttempts, expectedSleeps) => {
  kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({
    FailedRecordCount: 1,
    Records: input.Records!.map((r, i) =>
      r.PartitionKey === 'BAD'
        ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' }
        : { SequenceNumber: String(i), ShardId: 'shardId-000000000000' },
    ),
  }));
  const sleeps: number[] = [];
  const out = await putRecordsReliably(client, 's', [jsonEntry('OK', 1), jsonEntry('BAD', 2)], {
    maxAttempts,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0,
  });
  expect(sleeps).toEqual(expectedSleeps);
  expect(out.failed).toEqual([{ index: 1, partitionKey: 'BAD', errorCode: 'InternalFailure', errorMessage: 'Internal service failure.' }]);
  // Only the failed entry was resent.
  expect(
    kinesisMock
      .commandCalls(PutRecordsCommand)
      .slice(1)
      .every((c) => c.args[0].input.Records!.length === 1),
  ).toBe(true);
  expect(() => assertAllWritten(out, 's')).toThrow(/1 of 2 records were not written after retries \(BAD: InternalFailure\)/);
});
