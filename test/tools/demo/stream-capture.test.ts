import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { captureStream } from '../../../tools/lib/demo/stream-capture';
import { pkTableDefinition, startDynalite, type LocalDynamo } from '../../helpers/local-aws';

describe('captureStream on dynalite', () => {
  let dynamo: LocalDynamo;
  const records: DynamoDBRecord[] = [];
  let remove: () => void;

  beforeAll(async () => {
    dynamo = await startDynalite({ tables: [pkTableDefinition('latest'), pkTableDefinition('other')] });
    remove = captureStream(dynamo.client, { tableName: 'latest', keyAttributes: ['pk'], onRecord: (r) => records.push(r), now: () => 1_700_000_000_000 });
  });

  afterAll(async () => {
    remove();
    await dynamo.stop();
  });

  beforeEach(() => records.splice(0));

  test('a put of a new item is an INSERT with the new image, in Lambda’s record shape', async () => {
    await dynamo.doc.send(new PutCommand({ TableName: 'latest', Item: { pk: 'STOCK#A', price: 10 } }));
    expect(records).toEqual([
      {
        eventID: 'local-000000000000000000001',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          ApproximateCreationDateTime: 1_700_000_000,
          Keys: { pk: { S: 'STOCK#A' } },
          NewImage: { pk: { S: 'STOCK#A' }, price: { N: '10' } },
          SequenceNumber: '000000000000000000001',
          SizeBytes: expect.any(Number),
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/latest/stream/local',
      },
    ]);
  });

  test('an update is a MODIFY with old and new images', async () => {
    await dynamo.doc.send(new UpdateCommand({ TableName: 'latest', Key: { pk: 'STOCK#A' }, UpdateExpression: 'SET price = :p', ExpressionAttributeValues: { ':p': 9 } }));
    expect(records.map((r) => [r.eventName, r.dynamodb?.OldImage?.price, r.dynamodb?.NewImage?.price])).toEqual([['MODIFY', { N: '10' }, { N: '9' }]]);
  });

  test('a failed conditional write and writes to other tables emit nothing', async () => {
    await expect(
      dynamo.doc.send(new UpdateCommand({ TableName: 'latest', Key: { pk: 'STOCK#A' }, UpdateExpression: 'SET price = :p', ConditionExpression: 'price > :p', ExpressionAttributeValues: { ':p': 100 } })),
    ).rejects.toThrow(/conditional/i);
    await dynamo.doc.send(new PutCommand({ TableName: 'other', Item: { pk: 'x' } }));
    expect(records).toEqual([]);
  });

  test('concurrent writes to one key are serialised: each record’s old image is the previous new image', async () => {
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) => dynamo.doc.send(new UpdateCommand({ TableName: 'latest', Key: { pk: 'STOCK#B' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }))),
    );
    const counts = records.map((r) => [r.dynamodb?.OldImage?.n?.N, r.dynamodb?.NewImage?.n?.N]);
    expect(counts).toEqual([[undefined, '1'], ['1', '2'], ['2', '3'], ['3', '4'], ['4', '5']]);
  });
});
