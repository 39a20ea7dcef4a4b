/**
 * DynamoDB Streams for dynalite, which has none (DESIGN §11): a middleware on the DynamoDB
 * client the handlers use turns every successful write to a watched table into the change record
 * Lambda delivers for a NEW_AND_OLD_IMAGES stream, in commit order per item.
 *
 * How each image is known, without reading the item around every write:
 *
 * | write                     | old image                                   | new image                                   |
 * | ------------------------- | ------------------------------------------- | ------------------------------------------- |
 * | UpdateItem                | the key's last new image (cache)            | `ReturnValues: ALL_NEW` (added when absent, and removed from the caller's answer again); read back when the caller asked for other ReturnValues |
 * | PutItem                   | cache                                       | the item put (a put replaces the whole item) |
 * | DeleteItem                | cache                                       | none (REMOVE)                               |
 * | BatchWriteItem            | cache                                       | read back after the write (GetItem)         |
 * | key not in the cache yet  | one consistent GetItem before the write (none when `tableStartsEmpty`: the key has no item) | as above |
 * | the write fails           | —  (no record; a failure other than a failed condition drops the key from the cache, so the next write reads it again) | — |
 *
 * The cache is exact because writes to one key are serialised (a per-key lock held from the old
 * image to the new one) and every writer of the table goes through a client with this capture
 * attached (`attach` it to each). A write that changes nothing emits nothing, as DynamoDB Streams
 * does. The middleware sits in the `initialize` step, so it sees a DocumentClient's plain input
 * (marshalled here with @aws-sdk/util-dynamodb, the library the DocumentClient uses) as well as a
 * low-level client's AttributeValue maps.
 */
import { GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { isDeepStrictEqual } from 'node:util';

export interface CaptureOptions {
  readonly tableName: string;
  /** Key attribute names of the table (e.g. `['pk']`). */
  readonly keyAttributes: readonly string[];
  readonly region?: string;
  readonly accountId?: string;
  /** Receives each change record, in commit order per item. */
  readonly onRecord: (record: DynamoDBRecord) => void;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * The table was created empty by the caller and every writer has the capture attached, so a key
   * never seen has no item: no read to learn its first old image. @default false (read on first touch)
   */
  readonly tableStartsEmpty?: boolean;
}

type Item = Record<string, AttributeValue>;

export interface StreamCapture {
  /** Adds the capture to one more client writing the same table (they share images and locks). */
  attach(client: DynamoDBClient): () => void;
  /** GetItem calls made to learn an old or new image (a measure of the capture's own cost). */
  readonly reads: number;
}

/**
 * True when a command's input is in AttributeValue form (the low-level client), false for a
 * DocumentClient's plain values: the table's key attributes are scalars, so a DocumentClient
 * passes `'STOCK#A'` where the low-level client passes `{ S: 'STOCK#A' }`.
 */
function isAttributeValueMap(map: Record<string, unknown>, keyAttribute: string): boolean {
  const v = map[keyAttribute];
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array);
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** Creates a capture; `attach` it to every client that writes the table. */
export function createStreamCapture(options: CaptureOptions): StreamCapture {
  const images = new Map<string, Item | undefined>();
  const locks = new Map<string, Promise<void>>();
  let sequence = 0;
  let reads = 0;
  const now = options.now ?? Date.now;
  const region = options.region ?? 'us-east-1';
  const streamArn = `arn:aws:dynamodb:${region}:${options.accountId ?? '000000000000'}:table/${options.tableName}/stream/local`;
  const pick = (item: Item): Item => Object.fromEntries(options.keyAttributes.map((k) => [k, item[k]!]));
  const idOf = (key: Item): string => JSON.stringify(options.keyAttributes.map((k) => key[k]));

  const emit = (key: Item, oldImage: Item | undefined, newImage: Item | undefined): void => {
    if (isDeepStrictEqual(oldImage, newImage)) return;
    sequence += 1;
    const seq = String(sequence).padStart(21, '0');
    options.onRecord({
      eventID: `local-${seq}`,
      eventName: !oldImage ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(now() / 1000),
        Keys: key as never,
        ...(newImage ? { NewImage: newImage as never } : {}),
        ...(oldImage ? { OldImage: oldImage as never } : {}),
        SequenceNumber: seq,
        SizeBytes: JSON.stringify(newImage ?? oldImage).length,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: streamArn,
    });
  };

  const attach = (client: DynamoDBClient): (() => void) => {
    const read = async (key: Item): Promise<Item | undefined> => {
      reads += 1;
      return (await client.send(new GetItemCommand({ TableName: options.tableName, Key: key, ConsistentRead: true }))).Item;
    };
    const name = `streamCapture-${options.tableName}-${Math.random().toString(36).slice(2, 8)}`;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName);
        const input = args.input as Record<string, unknown>;
        let maps: Record<string, unknown>[];
        if ((command === 'PutItemCommand' || command === 'UpdateItemCommand' || command === 'DeleteItemCommand') && input.TableName === options.tableName) {
          maps = [(command === 'PutItemCommand' ? input.Item : input.Key) as Record<string, unknown>];
        } else if (command === 'BatchWriteItemCommand') {
          const requests =
            (
              (input.RequestItems ?? {}) as Record<
                string,
                { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[]
              >
            )[options.tableName] ?? [];
          maps = requests.map((r) => (r.PutRequest ? r.PutRequest.Item : r.DeleteRequest!.Key));
        } else {
          return next(args);
        }
        if (maps.length === 0) return next(args);
        const plain = !isAttributeValueMap(maps[0]!, options.keyAttributes[0]!);
        const asAttributeValues = (map: Record<string, unknown>): Item => (plain ? marshall(map, { removeUndefinedValues: true }) : (map as Item));
        const keys = maps.map((m) => pick(asAttributeValues(m)));
        const ids = keys.map(idOf);
        const lockKey = [...ids].sort().join('|');
        const previous = locks.get(lockKey) ?? Promise.resolve();
        let release!: () => void;
        const current = new Promise<void>((resolve) => (release = resolve));
        const chained = previous.then(() => current);
        locks.set(lockKey, chained);
        await previous;
        try {
          const before = await Promise.all(keys.map(async (key, i) => (images.has(ids[i]!) || options.tableStartsEmpty ? images.get(ids[i]!) : read(key))));
          const injected = command === 'UpdateItemCommand' && input.ReturnValues === undefined;
          const sent = injected ? { ...args, input: { ...input, ReturnValues: 'ALL_NEW' } } : args;
          let result: Awaited<ReturnType<typeof next>>;
          try {
            result = await next(sent);
          } catch (error) {
            if (isConditionFailure(error)) for (const [i, id] of ids.entries()) images.set(id, before[i]);
            else for (const id of ids) images.delete(id);
            throw error;
          }
          const output = result.output as unknown as Record<string, unknown>;
          let after: (Item | undefined)[];
          if (command === 'UpdateItemCommand' && (injected || input.ReturnValues === 'ALL_NEW')) {
            const attributes = output.Attributes as Record<string, unknown> | undefined;
            after = [attributes ? asAttributeValues(attributes) : undefined];
          } else if (command === 'PutItemCommand') {
            after = [asAttributeValues(input.Item as Record<string, unknown>)];
          } else if (command === 'DeleteItemCommand') {
            after = [undefined];
          } else {
            after = await Promise.all(keys.map(read));
          }
          keys.forEach((key, i) => {
            images.set(ids[i]!, after[i]);
            emit(key, before[i], after[i]);
          });
          if (injected) {
            const { Attributes: _added, ...asked } = output;
            return { ...result, output: asked as unknown as typeof result.output };
          }
          return result;
        } finally {
          release();
          if (locks.get(lockKey) === chained) locks.delete(lockKey);
        }
      },
      { step: 'initialize', priority: 'high', name },
    );
    return () => {
      client.middlewareStack.remove(name);
    };
  };

  return {
    attach,
    get reads() {
      return reads;
    },
  };
}

/** One client, one capture: adds it and returns a function that removes it. */
export function captureStream(client: DynamoDBClient, options: CaptureOptions): () => void {
  return createStreamCapture(options).attach(client);
}
