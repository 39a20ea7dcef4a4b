import { readFileSync } from 'node:fs';
import path from 'node:path';
import { INGEST_BATCH_SCHEMA, INGEST_ERROR_TEMPLATE, INGEST_REQUEST_TEMPLATE, INGEST_SUCCESS_TEMPLATE } from '../../../templates-src/lib/ingest';
import { parseTemplate } from '../../../templates-src/lib/yaml';
import { TemplateResolutionError, type LocalNames } from '../../../tools/lib/demo/resources';
import {
  eventSourceMappingsFromTemplate,
  ingestContractFromTemplate,
  matchesFilter,
  parameterDefault,
  passesFilters,
} from '../../../tools/lib/demo/template-contracts';

const generated = path.join(__dirname, '../../../generated');
const read = (file: string) => parseTemplate(readFileSync(path.join(generated, file), 'utf8'), file);
const names: LocalNames = { NamePrefix: 'stockwx-demo', 'AWS::AccountId': '000000000000', 'AWS::Region': 'us-east-1' };

describe('ingestContractFromTemplate on generated/streaming.yaml', () => {
  const contract = ingestContractFromTemplate(read('streaming.yaml'), names);

  test('takes the request model and the mapping templates the emitter wrote, with StreamName resolved from the stream resource', () => {
    expect(contract.schema).toEqual(JSON.parse(JSON.stringify(INGEST_BATCH_SCHEMA)));
    expect(contract.requestTemplate.trim()).toBe(INGEST_REQUEST_TEMPLATE.trim());
    expect(contract.successTemplate.trim()).toBe(INGEST_SUCCESS_TEMPLATE.trim());
    expect(contract.errorTemplate.trim()).toBe(INGEST_ERROR_TEMPLATE.trim());
    expect(contract.subs).toEqual({ StreamName: 'stockwx-demo-events' });
  });

  test.each([
    ['no such method', { Resources: {} }, /no AWS::ApiGateway::Method POST on a resource with PathPart 'ingest'/],
    [
      'method without a model',
      {
        Resources: {
          R: { Type: 'AWS::ApiGateway::Resource', Properties: { PathPart: 'ingest' } },
          M: { Type: 'AWS::ApiGateway::Method', Properties: { HttpMethod: 'POST', ResourceId: { Ref: 'R' }, Integration: {} } },
        },
      },
      /M: RequestModels.application\/json must be !Ref/,
    ],
  ])('%s → one-line error naming the place', (_name, doc, message) => {
    expect(() => ingestContractFromTemplate(doc, names)).toThrow(TemplateResolutionError);
    expect(() => ingestContractFromTemplate(doc, names)).toThrow(message);
  });
});

describe('eventSourceMappingsFromTemplate on generated/compute.yaml', () => {
  const esm = eventSourceMappingsFromTemplate(read('compute.yaml'));

  test.each([
    ['EnricherFunction', 1000, 10],
    ['AggregatorFunction', 500, 5],
    ['RulesFunction', 100, 1],
  ])('%s: batch size %d, window %d s, partial batch responses, bisect, bounded retries and age, on-failure destination', (fn, batchSize, window) => {
    expect(esm.get(fn)).toMatchObject({
      functionLogicalId: fn,
      batchSize,
      maximumBatchingWindowInSeconds: window,
      reportBatchItemFailures: true,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: 3600,
      hasOnFailureDestination: true,
    });
  });

  test('the rules mapping keeps its filter: entity items only, no REMOVE', () => {
    const rules = esm.get('RulesFunction')!;
    const record = (pk: string, eventName = 'MODIFY') => ({ eventName, dynamodb: { Keys: { pk: { S: pk } } } });
    expect(
      [
        record('STOCK#AAPL'),
        record('WEATHER#Oslo', 'INSERT'),
        record('ALERT#STOCK#AAPL#stock-drop#2024-01-01'),
        record('LEASE#poller'),
        record('STOCK#AAPL', 'REMOVE'),
      ].map((r) => passesFilters(rules, r)),
    ).toEqual([true, true, false, false, false]);
  });

  test('Lambda defaults when a property is absent (retries -1 is kept so the loop can refuse it)', () => {
    const doc = { Resources: { E: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: { Ref: 'F' } } } } };
    expect(eventSourceMappingsFromTemplate(doc).get('F')).toMatchObject({
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      reportBatchItemFailures: false,
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: 604800,
      filterPatterns: [],
    });
  });
});

describe('matchesFilter', () => {
  test.each([
    [{ a: ['x'] }, { a: 'x' }, true],
    [{ a: ['x'] }, { a: 'y' }, false],
    [{ a: [{ prefix: 'ST' }] }, { a: 'STOCK' }, true],
    [{ a: { b: [1] } }, { a: {} }, false],
    [{ a: { b: [1] } }, {}, false],
  ])('%j on %j → %s', (pattern, value, expected) => {
    expect(matchesFilter(pattern, value)).toBe(expected);
  });

  test('refuses operators it does not implement rather than guessing', () => {
    expect(() => matchesFilter({ a: [{ numeric: ['>', 1] }] }, { a: 2 })).toThrow(/unsupported operator/);
  });
});

test('parameterDefault reads root.yaml StockDropPercent', () => {
  expect(typeof parameterDefault(read('root.yaml'), 'StockDropPercent')).toBe('number');
});
