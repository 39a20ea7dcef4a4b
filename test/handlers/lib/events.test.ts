/**
 * Malformed Lambda events fail with MalformedEventError and one line naming the first problem,
 * before the function touches anything (no TypeError from inside a handler).
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { createHandler as createAggregator } from '../../../handlers/aggregator/index';
import { MalformedEventError } from '../../../handlers/lib/errors';
import { dynamodbRecords, kinesisRecords, snsRecords } from '../../../handlers/lib/events';
import { createHandler as createNotifier } from '../../../handlers/notifier/index';
import { createHandler as createRules } from '../../../handlers/rules/index';
import { kinesisEvent, stockTick } from '../../fixtures/events';

/** A client that fails the test if the handler reaches it. */
const untouchable = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('the handler reached a client');
    },
  },
);

async function failure(run: () => Promise<unknown>): Promise<Error> {
  return (await run().then(
    () => undefined,
    (e: unknown) => e,
  )) as Error;
}

describe('shape checks', () => {
  test.each([
    ['not an object', null, 'x: malformed Kinesis event: the event is null, not an object'],
    ['no Records', {}, 'x: malformed Kinesis event: it has no Records'],
    ['Records an object', { Records: {} }, 'x: malformed Kinesis event: Records is object, not an array'],
    [
      'a record without kinesis',
      { Records: [{ eventSource: 'aws:dynamodb', dynamodb: {} }] },
      'x: malformed Kinesis event: Records[0] has no kinesis object (eventSource "aws:dynamodb")',
    ],
    [
      'no arrival time',
      { Records: [{ eventID: 'e', kinesis: { data: '', sequenceNumber: '1', partitionKey: 'A' } }] },
      'x: malformed Kinesis event: Records[0] kinesis.approximateArrivalTimestamp is undefined, not a number',
    ],
  ])('Kinesis: %s', (_name, event, message) => {
    expect(() => kinesisRecords(event, 'x')).toThrow(MalformedEventError);
    expect(() => kinesisRecords(event, 'x')).toThrow(`${message}; nothing was processed (is the function wired to the right event source?)`);
  });

  test('a real Kinesis batch passes unchanged', () => {
    const event = kinesisEvent([stockTick()]);
    expect(kinesisRecords(event, 'x')).toBe(event.Records);
    expect(kinesisRecords({ Records: [] }, 'x')).toEqual([]);
  });

  test('DynamoDB stream and SNS', () => {
    expect(() => dynamodbRecords({ Records: [{ eventName: 'INSERT' }] }, 'rules')).toThrow(
      'rules: malformed DynamoDB stream event: Records[0] has no dynamodb object',
    );
    expect(() => snsRecords({ Records: [{ Sns: { Message: 1 } }] }, 'notifier')).toThrow(
      'notifier: malformed SNS event: Records[0] Sns.Message is number, not a string',
    );
    expect(dynamodbRecords({ Records: [{ eventName: 'INSERT', dynamodb: {} }] }, 'rules')).toHaveLength(1);
  });
});

describe('every stream consumer and the notifier refuse a malformed event before any I/O', () => {
  test('aggregator', async () => {
    const handler = createAggregator({ doc: untouchable as DynamoDBDocumentClient, config: { metricsTableName: 'm', latestTableName: 'l' } });
    const error = await failure(() => handler({} as never));
    expect(error).toBeInstanceOf(MalformedEventError);
    expect(error.message).toMatch(/^aggregator: malformed Kinesis event: it has no Records;/);
  });

  test('rules', async () => {
    const handler = createRules({
      config: {
        latestTableName: 'l',
        marketAlertsTopicArn: 'm',
        weatherAlertsTopicArn: 'w',
        thresholds: { stockDropPercent: 10, heatThresholdC: 35, coldThresholdC: -10, windThresholdKph: 75, precipThresholdMm: 20 },
      },
      doc: untouchable as DynamoDBDocumentClient,
      sns: untouchable as SNSClient,
    });
    const error = await failure(() => handler({ Records: [{ eventSource: 'aws:kinesis', kinesis: {} }] } as never));
    expect(error).toBeInstanceOf(MalformedEventError);
    expect(error.message).toMatch(/^rules: malformed DynamoDB stream event: Records\[0\] has no dynamodb object \(eventSource "aws:kinesis"\);/);
  });

  test('notifier', async () => {
    const handler = createNotifier({ config: { slackWebhookSecretArn: 'arn' }, secrets: untouchable as never });
    const error = await failure(() => handler({ Records: [{}] } as never));
    expect(error).toBeInstanceOf(MalformedEventError);
    expect(error.message).toMatch(/^notifier: malformed SNS event: Records\[0\] has no Sns object;/);
  });
});
