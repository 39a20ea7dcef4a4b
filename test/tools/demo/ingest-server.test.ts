import { INGEST_BATCH_SCHEMA, INGEST_ERROR_TEMPLATE, INGEST_REQUEST_TEMPLATE, INGEST_SUCCESS_TEMPLATE } from '../../../templates-src/lib/ingest';
import { startIngestServer, type IngestServer, type PutRecordsCall } from '../../../tools/lib/demo/ingest-server';

const tick = {
  schemaVersion: 1,
  type: 'stock',
  symbol: 'AAPL',
  ts: '2024-01-02T15:00:00Z',
  price: 10,
  open: 9,
  high: 11,
  low: 8,
  prevClose: 9.5,
  volume: 100,
  source: 'api',
};

describe('local /ingest', () => {
  let server: IngestServer;
  let calls: Parameters<PutRecordsCall>[0][] = [];
  let answer: () => Promise<Record<string, unknown>> = async () => ({
    FailedRecordCount: 0,
    Records: [{ SequenceNumber: '1', ShardId: 'shardId-000000000000' }],
  });

  beforeAll(async () => {
    const contract = {
      schema: INGEST_BATCH_SCHEMA as unknown as Record<string, unknown>,
      requestTemplate: INGEST_REQUEST_TEMPLATE,
      successTemplate: INGEST_SUCCESS_TEMPLATE,
      errorTemplate: INGEST_ERROR_TEMPLATE,
      subs: { StreamName: 'demo-events' },
      maxBodyBytes: 4096,
    };
    server = await startIngestServer(contract, async (request) => {
      calls.push(request);
      return answer();
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    calls = [];
  });

  const post = (body: string) => fetch(`${server.url}/ingest`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  test('GET /health answers 200', async () => {
    const res = await fetch(`${server.url}/health`);
    expect([res.status, await res.json()]).toEqual([200, { status: 'ok' }]);
  });

  test('a valid batch becomes one PutRecords call partitioned by symbol; the answer is the success mapping', async () => {
    const res = await post(JSON.stringify({ records: [tick] }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ recordCount: 1, failedRecordCount: 0, failed: [] });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.StreamName).toBe('demo-events');
    expect(calls[0]!.Records[0]!.PartitionKey).toBe('AAPL');
    expect(JSON.parse(Buffer.from(calls[0]!.Records[0]!.Data, 'base64').toString())).toEqual(tick);
  });

  test.each([
    ['malformed JSON', '{"records": [', 'not JSON'],
    ['schema violation (negative price)', JSON.stringify({ records: [{ ...tick, price: -1 }] }), 'Invalid request body'],
    ['unknown envelope key', JSON.stringify({ records: [tick], extra: 1 }), 'Invalid request body'],
    ['empty batch', JSON.stringify({ records: [] }), 'Invalid request body'],
  ])('%s → 400 with the stable error shape and no Kinesis call', async (_name, body, message) => {
    const res = await post(body);
    const json = (await res.json()) as { error: { code: string; message: string; requestId: string } };
    expect(res.status).toBe(400);
    expect(json.error.code).toBe('BAD_REQUEST_BODY');
    expect(json.error.message).toContain(message);
    expect(json.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls).toEqual([]);
  });

  test('an oversized body → 413 (rejected at the edge, RELIABILITY case 5)', async () => {
    const res = await post(JSON.stringify({ records: [tick], pad: 'x'.repeat(5000) }));
    expect(res.status).toBe(413);
  });

  test('Kinesis throttling maps to 429 through the error template', async () => {
    answer = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
    };
    const res = await post(JSON.stringify({ records: [tick] }));
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ProvisionedThroughputExceededException');
  });
});
