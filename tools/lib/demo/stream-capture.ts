/**
 * DynamoDB Streams for dynalite, which has none (DESIGN §11): a middleware on the DynamoDB
 * client the handlers use reads the item before and after every successful write to a watched
 * table and emits the change in the exact shape Lambda delivers for a NEW_AND_OLD_IMAGES stream.
 *
 * Writes to one key are serialised (a per-key lock) so the before/after reads cannot interleave
 * with another write to the same item. A write that changes nothing (a conditional update that
 * failed, or an identical put) emits nothing, as DynamoDB Streams does.
 */
import { GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { isDeepStrictEqual } from 'node:util';

export interface CaptureOptions {
  readonly tableName: string;
  /** Key attribute names of the table (e.g. `['pk']`). */
  readonly keyAttributes: readonly string[];
  readonly region?: string;
  readonly accountId?: string;
  /** Receives each change record, in commit order. */
  readonly onRecord: (record: DynamoDBRecord) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

type Item = Record<string, AttributeValue>;

interface WriteTarget {
  readonly key: Item;
}

/** The keys a write command touches on the watched table. */
function targets(commandName: string, input: Record<string, unknown>, options: CaptureOptions): WriteTarget[] {
  const pick = (item: Item): Item => Object.fromEntries(options.keyAttributes.map((k) => [k, item[k]!]));
  if ((commandName === 'PutItemCommand' || commandName === 'UpdateItemCommand' || commandName === 'DeleteItemCommand') && input.TableName === options.tableName) {
    return [{ key: pick((commandName === 'PutItemCommand' ? input.Item : input.Key) as Item) }];
  }
  if (commandName === 'BatchWriteItemCommand') {
    const requests = ((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>)[options.tableName] ?? [];
    return requests.map((r) => ({ key: pick(r.PutRequest ? r.PutRequest.Item : r.DeleteRequest!.Key) }));
  }
  return [];
}

/** Adds the capture middleware to `client`; returns a function that removes it. */
export function captureStream(client: DynamoDBClient, options: CaptureOptions): () => void {
  const locks = new Map<string, Promise<void>>();
  let sequence = 0;
  const now = options.now ?? Date.now;
  const region = options.region ?? 'us-east-1';
  const streamArn = `arn:aws:dynamodb:${region}:${options.accountId ?? '000000000000'}:table/${options.tableName}/stream/local`;
  const read = async (key: Item): Promise<Item | undefined> => (await client.send(new GetItemCommand({ TableName: options.tableName, Key: key, ConsistentRead: true }))).Item;

  const name = `streamCapture-${options.tableName}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const writes = targets(String(context.commandName), args.input as Record<string, unknown>, options);
      if (writes.length === 0) return next(args);
      const lockKey = writes.map((w) => JSON.stringify(w.key)).sort().join('|');
      const previous = locks.get(lockKey) ?? Promise.resolve();
      let release!: () => void;
      const current = new Promise<void>((resolve) => (release = resolve));
      const chained = previous.then(() => current);
      locks.set(lockKey, chained);
      await previous;
      try {
        const before = await Promise.all(writes.map((w) => read(w.key)));
        const result = await next(args);
        const after = await Promise.all(writes.map((w) => read(w.key)));
        writes.forEach((w, i) => {
          const oldImage = before[i];
          const newImage = after[i];
          if (isDeepStrictEqual(oldImage, newImage)) return;
          sequence += 1;
          const eventName = !oldImage ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY';
          const seq = String(sequence).padStart(21, '0');
          options.onRecord({
            eventID: `local-${seq}`,
            eventName,
            eventVersion: '1.1',
            eventSource: 'aws:dynamodb',
            awsRegion: region,
            dynamodb: {
              ApproximateCreationDateTime: Math.floor(now() / 1000),
              Keys: w.key as never,
              ...(newImage ? { NewImage: newImage as never } : {}),
              ...(oldImage ? { OldImage: oldImage as never } : {}),
              SequenceNumber: seq,
              SizeBytes: JSON.stringify(newImage ?? oldImage).length,
              StreamViewType: 'NEW_AND_OLD_IMAGES',
            },
            eventSourceARN: streamArn,
          });
        });
        return result;
      } finally {
        release();
        if (locks.get(lockKey) === chained) locks.delete(lockKey);
      }
    },
    // 'build' runs after lib-dynamodb's marshalling, so inputs are AttributeValue maps whichever client API the handler used.
    { step: 'build', name },
  );
  return () => {
    client.middlewareStack.remove(name);
  };
}
