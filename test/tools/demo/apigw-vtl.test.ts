import { evaluateMappingTemplate, escapeJavaScript, jsonPath, MappingTemplateError } from '../../../tools/lib/demo/apigw-vtl';
import { INGEST_ERROR_TEMPLATE, INGEST_REQUEST_TEMPLATE, INGEST_SUCCESS_TEMPLATE } from '../../../templates-src/lib/ingest';

const stock = {
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
const weather = {
  schemaVersion: 1,
  type: 'weather',
  city: 'São Paulo',
  ts: '2024-01-02T15:00:00Z',
  tempC: 30,
  humidity: 70,
  windKph: 5,
  precipMm: 0,
  pressureHpa: 1010,
  source: 'api',
};

describe('jsonPath', () => {
  test.each([
    ['$', { a: 1 }, { a: 1 }],
    ['$.a.b', { a: { b: 2 } }, 2],
    ['$.a[1]', { a: [1, 2] }, 2],
    ["$['x-y']", { 'x-y': 3 }, 3],
    ['$.missing.deeper', {}, undefined],
  ])('%s', (expr, doc, expected) => {
    expect(jsonPath(doc, expr)).toEqual(expected);
  });

  test('rejects what it does not support', () => {
    expect(() => jsonPath({}, '$..a')).toThrow(MappingTemplateError);
  });
});

test('escapeJavaScript escapes quotes, backslashes and control characters', () => {
  expect(escapeJavaScript('a"b\\c\nd\u0001')).toBe('a\\"b\\\\c\\nd\\u0001');
});

describe('the /ingest mapping templates of streaming.yaml', () => {
  test('request: one Kinesis record per event, data = the event JSON, partition key = symbol or city', () => {
    const body = JSON.stringify({ records: [stock, weather] });
    const out = evaluateMappingTemplate(INGEST_REQUEST_TEMPLATE, { body, requestId: 'r1', subs: { StreamName: 'demo-events' } });
    const request = JSON.parse(out.text) as { StreamName: string; Records: { Data: string; PartitionKey: string }[] };
    expect(request.StreamName).toBe('demo-events');
    expect(request.Records.map((r) => r.PartitionKey)).toEqual(['AAPL', 'São Paulo']);
    expect(request.Records.map((r) => JSON.parse(Buffer.from(r.Data, 'base64').toString('utf8')))).toEqual([stock, weather]);
  });

  test('success: counts and the failed entries with their index', () => {
    const response = {
      FailedRecordCount: 1,
      Records: [
        { SequenceNumber: '1', ShardId: 's' },
        { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate "exceeded"' },
      ],
    };
    const out = evaluateMappingTemplate(INGEST_SUCCESS_TEMPLATE, { body: JSON.stringify(response), requestId: 'r1' });
    expect(JSON.parse(out.text)).toEqual({
      recordCount: 2,
      failedRecordCount: 1,
      failed: [{ index: 1, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'Rate "exceeded"' }],
    });
  });

  test.each([
    ['ProvisionedThroughputExceededException', 429],
    ['ResourceNotFoundException', 500],
    ['ValidationException', undefined],
  ])('error %s → status override %s, stable error shape', (type, status) => {
    const out = evaluateMappingTemplate(INGEST_ERROR_TEMPLATE, { body: JSON.stringify({ __type: type, message: 'm' }), requestId: 'r9' });
    expect(out.statusOverride).toBe(status);
    expect(JSON.parse(out.text)).toEqual({ error: { code: type, message: 'm', requestId: 'r9' } });
  });
});
