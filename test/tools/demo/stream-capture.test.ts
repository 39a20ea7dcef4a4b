import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { captureStream, createStreamCapture } from '../../../tools/lib/demo/stream-capture';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../../handlers/lib/dynamo';
import { localClientConfig } from '../../helpers/local-aws';
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
    await dynamo.doc.send(
      new UpdateCommand({ TableName: 'latest', Key: { pk: 'STOCK#A' }, UpdateExpression: 'SET price = :p', ExpressionAttributeValues: { ':p': 9 } }),
    );
    expect(records.map((r) => [r.eventName, r.dynamodb?.OldImage?.price, r.dynamodb?.NewImage?.price])).toEqual([['MODIFY', { N: '10' }, { N: '9' }]]);
  });

  test('a failed conditional write and writes to other tables emit nothing', async () => {
    await expect(
      dynamo.doc.send(
        new UpdateCommand({
          TableName: 'latest',
          Key: { pk: 'STOCK#A' },
          UpdateExpression: 'SET price = :p',
          ConditionExpression: 'price > :p',
          ExpressionAttributeValues: { ':p': 100 },
        }),
      ),
    ).rejects.toThrow(/conditional/i);
    await dynamo.doc.send(new PutCommand({ TableName: 'other', Item: { pk: 'x' } }));
    expect(records).toEqual([]);
  });

  test('concurrent writes to one key are serialised: each record’s old image is the previous new image', async () => {
    await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        dynamo.doc.send(
          new UpdateCommand({ TableName: 'latest', Key: { pk: 'STOCK#B' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }),
        ),
      ),
    );
    const counts = records.map((r) => [r.dynamodb?.OldImage?.n?.N, r.dynamodb?.NewImage?.n?.N]);
    expect(counts).toEqual([
      [undefined, '1'],
      ['1', '2'],
      ['2', '3'],
      ['3', '4'],
      ['4', '5'],
    ]);
  });

  test('images come from a cache and ALL_NEW answers: one read per key, and the caller still gets only what it asked for', async () => {
    const mine: DynamoDBRecord[] = [];
    const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    const capture = createStreamCapture({ tableName: 'latest', keyAttributes: ['pk'], onRecord: (r) => mine.push(r) });
    capture.attach(client);
    const doc = createDocumentClient(client);
    try {
      for (const p of [1, 2, 3]) {
        const out = await doc.send(
          new UpdateCommand({ TableName: 'latest', Key: { pk: 'STOCK#C' }, UpdateExpression: 'SET price = :p', ExpressionAttributeValues: { ':p': p } }),
        );
        expect(out.Attributes).toBeUndefined();
      }
      const low = await client.send(
        new UpdateItemCommand({
          TableName: 'latest',
          Key: { pk: { S: 'STOCK#C' } },
          UpdateExpression: 'SET price = :p',
          ExpressionAttributeValues: { ':p': { N: '4' } },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      expect(low.Attributes).toEqual({ price: { N: '3' } });
      expect(capture.reads).toBe(2); // the first touch of the key, and the read-back after UPDATED_OLD (not an ALL_NEW answer)
      expect(mine.map((r) => [r.eventName, r.dynamodb?.OldImage?.price?.N, r.dynamodb?.NewImage?.price?.N])).toEqual([
        ['INSERT', undefined, '1'],
        ['MODIFY', '1', '2'],
        ['MODIFY', '2', '3'],
        ['MODIFY', '3', '4'],
      ]);
    } finally {
      client.destroy();
    }
  });

  test('a batch write to the watched table is read back after the write', async () => {
    const mine: DynamoDBRecord[] = [];
    const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    createStreamCapture({ tableName: 'latest', keyAttributes: ['pk'], onRecord: (r) => mine.push(r) }).attach(client);
    try {
      await createDocumentClient(client).send(
        new BatchWriteCommand({
          RequestItems: { latest: [{ PutRequest: { Item: { pk: 'STOCK#D', price: 1 } } }, { PutRequest: { Item: { pk: 'STOCK#E', price: 2 } } }] },
        }),
      );
      expect(mine.map((r) => [r.eventName, r.dynamodb?.Keys?.pk?.S, r.dynamodb?.NewImage?.price?.N])).toEqual([
        ['INSERT', 'STOCK#D', '1'],
        ['INSERT', 'STOCK#E', '2'],
      ]);
    } finally {
      client.destroy();
    }
  });
});
