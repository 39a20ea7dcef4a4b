/**
 * DynamoDB adapter. Every write is idempotent or conditional, and anything short of a full
 * success throws a retryable {@link PartialWriteError} so the record is retried (never logged
 * and dropped, STYLE.md's counter-example).
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PartialWriteError } from './errors';
import { equalJitterDelay, realSleep } from './backoff';

type Item = Record<string, unknown>;

function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

function wrap(what: string, err: unknown): PartialWriteError {
  return new PartialWriteError(`${what} failed (${(err as Error).name}: ${(err as Error).message}); the record will be retried`, { cause: err });
}

/**
 * Puts an item only if no item with its key exists (`attribute_not_exists(pk)`).
 * @returns `written`, or `duplicate` when the key was already there (redelivery: nothing changes)
 */
export async function putIfAbsent(doc: DynamoDBDocumentClient, tableName: string, item: Item): Promise<'written' | 'duplicate'> {
  try {
    await doc.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return 'written';
  } catch (err) {
    if (isConditionFailure(err)) return 'duplicate';
    throw wrap(`PutItem ${tableName} ${String(item.pk)}/${String(item.ts ?? '')}`, err);
  }
}

/** Options of {@link updateIfNewer}. */
export interface UpdateIfNewerOptions {
  /** Attribute holding the version timestamp the condition compares. @default 'ts' */
  readonly versionAttribute?: string;
  /**
   * Called with the item as it is after a successful write (`ReturnValues: ALL_NEW`). For local
   * runs without DynamoDB Streams (dynalite): the demo derives LatestTable stream records from
   * these. @default none (no item is returned)
   */
  readonly onWritten?: (newImage: Record<string, unknown>) => void | Promise<void>;
}

/**
 * Sets `attributes` (and the version attribute) on item `pk` only when the stored version is
 * absent or strictly older: `attribute_not_exists(ts) OR ts < :ts`. Attributes not named are left
 * alone, so two writers owning disjoint attributes never clobber each other.
 * @returns `written`, or `stale` when the stored version is the same or newer
 */
export async function updateIfNewer(
  doc: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  version: string,
  attributes: Item,
  options: UpdateIfNewerOptions = {},
): Promise<'written' | 'stale'> {
  const versionAttribute = options.versionAttribute ?? 'ts';
  const names: Record<string, string> = { '#v': versionAttribute };
  const values: Record<string, unknown> = { ':v': version };
  const sets = ['#v = :v'];
  const removes = setClauses(attributes, [versionAttribute], names, values, sets);
  const update = `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`;
  let written;
  try {
    written = await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk },
        UpdateExpression: update,
        ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ...(options.onWritten ? { ReturnValues: 'ALL_NEW' as const } : {}),
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) return 'stale';
    throw wrap(`UpdateItem ${tableName} ${pk} (${versionAttribute} ${version})`, err);
  }
  if (options.onWritten) await options.onWritten(written.Attributes ?? {});
  return 'written';
}

/** SET/REMOVE clauses for `attributes` (undefined → REMOVE), skipping `pk` and the version. */
function setClauses(attributes: Item, skip: readonly string[], names: Record<string, string>, values: Record<string, unknown>, sets: string[]): string[] {
  const removes: string[] = [];
  let i = 0;
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'pk' || skip.includes(name)) continue;
    names[`#a${i}`] = name;
    if (value === undefined) removes.push(`#a${i}`);
    else {
      values[`:a${i}`] = value;
      sets.push(`#a${i} = :a${i}`);
    }
    i++;
  }
  return removes;
}

/**
 * Optimistic concurrency: sets `attributes` and moves the version attribute from `expected` to
 * `next` only if the stored version still equals `expected` (absent when `expected` is
 * undefined). Every step of a read-modify-write state machine is one such update, so a
 * concurrent or repeated writer can never apply a step twice.
 * @returns `written`, or `conflict` when the stored version moved on
 */
export async function updateIfVersion(
  doc: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  versionAttribute: string,
  expected: string | undefined,
  next: string,
  attributes: Item,
  onWritten?: UpdateIfNewerOptions['onWritten'],
): Promise<'written' | 'conflict'> {
  const names: Record<string, string> = { '#v': versionAttribute };
  const values: Record<string, unknown> = { ':v': next };
  const sets = ['#v = :v'];
  const removes = setClauses(attributes, [versionAttribute], names, values, sets);
  if (expected !== undefined) values[':expected'] = expected;
  let written;
  try {
    written = await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: expected === undefined ? 'attribute_not_exists(#v)' : '#v = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ...(onWritten ? { ReturnValues: 'ALL_NEW' as const } : {}),
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) return 'conflict';
    throw wrap(`UpdateItem ${tableName} ${pk} (${versionAttribute} ${String(expected)} → ${next})`, err);
  }
  if (onWritten) await onWritten(written.Attributes ?? {});
  return 'written';
}

/** Reads one item by `pk` (strongly consistent: a state machine must see its own last write). */
export async function getByPk(doc: DynamoDBDocumentClient, tableName: string, pk: string): Promise<Item | undefined> {
  try {
    return (await doc.send(new GetCommand({ TableName: tableName, Key: { pk }, ConsistentRead: true }))).Item;
  } catch (err) {
    throw wrap(`GetItem ${tableName} ${pk}`, err);
  }
}

/** Options of {@link batchWriteAll}. */
export interface BatchWriteOptions {
  /** Attempts per 25-item chunk, including the first. @default 6 */
  readonly maxAttempts?: number;
  /** Ceiling of the first backoff; doubles each attempt, equal jitter (lib/backoff.ts). @default 50 */
  readonly baseDelayMs?: number;
  /** Backoff cap. @default 2000 */
  readonly maxDelayMs?: number;
  /** Injected for tests. @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected for tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * Unconditional puts in chunks of 25 (only for items that are a pure function of their input, so
 * a rewrite is a no-op). `UnprocessedItems` are resent with bounded exponential backoff and equal
 * jitter (lib/backoff.ts); if any remain after `maxAttempts`, throws {@link PartialWriteError} with the count.
 */
export async function batchWriteAll(doc: DynamoDBDocumentClient, tableName: string, items: readonly Item[], options: BatchWriteOptions = {}): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 6;
  const base = options.baseDelayMs ?? 50;
  const cap = options.maxDelayMs ?? 2000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let start = 0; start < items.length; start += 25) {
    let pending = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) {
        throw new PartialWriteError(
          `BatchWriteItem ${tableName}: ${pending.length} item(s) still unprocessed after ${maxAttempts} attempts (throttled); the records behind them will be retried`,
        );
      }
      if (attempt > 1) await sleep(equalJitterDelay(attempt - 2, { baseMs: base, maxMs: cap, random }));
      let unprocessed;
      try {
        const res = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        unprocessed = res.UnprocessedItems?.[tableName];
      } catch (err) {
        throw wrap(`BatchWriteItem ${tableName} (${pending.length} items)`, err);
      }
      pending = (unprocessed ?? []).filter((r): r is { PutRequest: { Item: Item } } => r.PutRequest?.Item !== undefined) as typeof pending;
    }
  }
}

/**
 * The document client every handler uses (removeUndefinedValues: optional fields simply vanish).
 * Local endpoints come from the SDK's own `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL`.
 */
export function createDocumentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
