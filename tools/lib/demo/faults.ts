/**
 * Fault injection for `npm run demo -- --faults` (DESIGN §9 reliability bar, RELIABILITY 1–8).
 *
 * Client layer: a smithy middleware on the DynamoDB and S3 clients the handlers get fails a
 * deterministic subset of write calls before they reach the service. It sits in the
 * `initialize`/`build` steps, outside the SDK's own retry loop (`finalizeRequest`), so each
 * injected fault is what a handler sees after the SDK gave up: the record must come back through
 * the event-source mapping.
 *
 * | call                                         | which                                           | error                                                  |
 * | -------------------------------------------- | ----------------------------------------------- | ------------------------------------------------------ |
 * | DynamoDB PutItem/UpdateItem                  | first attempt of keys whose hash % every == 0   | ProvisionedThroughputExceededException / ThrottlingException (alternating) |
 * | DynamoDB BatchWriteItem                      | first attempt of items whose hash % every == 0  | those items come back as `UnprocessedItems` (the rest are written), as DynamoDB answers when throttled (RELIABILITY 3) |
 * | DynamoDB writes on a poison entity           | every attempt                                   | ProvisionedThroughputExceededException (never heals: a poison record) |
 * | S3 PutObject                                 | first attempt of keys whose hash % every == 0   | 503 SlowDown                                           |
 *
 * "First attempt of a key" keeps the subset deterministic regardless of how calls interleave, and
 * guarantees that a retry heals, so only the poison record may reach the on-failure destination.
 *
 * Stream layer: records written straight to Kinesis (not through /ingest, which would reject
 * them): malformed JSON, schema-invalid events, and records marked for base64 corruption. Kinesis
 * itself always delivers valid base64, so the local event-source loop corrupts the `data` of a
 * marked record while building the Lambda event (corruptBase64) — the only way such a record
 * can reach a handler.
 */
import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KinesisStreamRecord } from 'aws-lambda';

export interface FaultStats {
  readonly injected: Record<string, number>;
}

export interface ClientFaultOptions {
  /** Fail the first attempt of one key in `every`. @default 5 */
  readonly every?: number;
  /** Partition keys (`STOCK#POISON`) whose writes always fail. @default [] */
  readonly poisonPks?: readonly string[];
}

function fault(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 },
    $retryable: { throttling: true },
  });
}

function bucketOf(text: string, every: number): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0) % every;
}

type Av = Record<string, { S?: string }>;

/** pk/ts strings of the items a DynamoDB write touches (AttributeValue maps: the middleware runs after marshalling). */
function dynamoKeys(command: string, input: Record<string, unknown>): { table: string; pk: string; id: string }[] {
  const keyOf = (table: string, item: Av): { table: string; pk: string; id: string } => {
    const pk = item.pk?.S ?? '';
    return { table, pk, id: `${table}|${pk}|${item.ts?.S ?? ''}` };
  };
  if (command === 'PutItemCommand') return [keyOf(String(input.TableName), input.Item as Av)];
  if (command === 'UpdateItemCommand') {
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, { S?: string }>;
    const version = Object.values(values).find((v) => typeof v.S === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v.S))?.S ?? '';
    const k = keyOf(String(input.TableName), input.Key as Av);
    return [{ ...k, id: `${k.id}|${version}` }];
  }
  if (command === 'BatchWriteItemCommand') {
    const out: { table: string; pk: string; id: string }[] = [];
    for (const [table, requests] of Object.entries(
      (input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Av }; DeleteRequest?: { Key: Av } }[]>,
    )) {
      for (const r of requests) out.push(keyOf(table, (r.PutRequest?.Item ?? r.DeleteRequest?.Key)!));
    }
    return out;
  }
  return [];
}

type BatchRequest = { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } };

/** `pk`/`ts` of a BatchWriteItem request in either form (the middleware below runs before a DocumentClient marshals). */
function batchItemId(table: string, r: BatchRequest): { pk: string; id: string } {
  const item = (r.PutRequest?.Item ?? r.DeleteRequest?.Key ?? {}) as Record<string, unknown>;
  const text = (v: unknown): string => (typeof v === 'string' ? v : typeof (v as { S?: unknown } | undefined)?.S === 'string' ? (v as { S: string }).S : '');
  const pk = text(item.pk);
  return { pk, id: `${table}|${pk}|${text(item.ts)}` };
}

/**
 * Adds the DynamoDB fault middleware; returns its counters. A failed call never reaches the
 * service.
 */
export function injectDynamoFaults(client: DynamoDBClient, options: ClientFaultOptions = {}): FaultStats {
  const every = options.every ?? 5;
  const poison = new Set(options.poisonPks ?? []);
  const seen = new Set<string>();
  const injected: Record<string, number> = {};
  let alternate = 0;
  // BatchWriteItem: throttled items come back as UnprocessedItems, the others are written. In the
  // `initialize` step, before the request is serialised, so only the others are sent.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = args.input as { RequestItems?: Record<string, BatchRequest[]> };
      const send: Record<string, BatchRequest[]> = {};
      const unprocessed: Record<string, BatchRequest[]> = {};
      for (const [table, requests] of Object.entries(input.RequestItems ?? {})) {
        for (const r of requests) {
          const { pk, id } = batchItemId(table, r);
          const key = `BatchWriteItemCommand|${id}`;
          const fresh = /^(STOCK|WEATHER)#/.test(pk) && !seen.has(key);
          seen.add(key);
          if (fresh && bucketOf(key, every) === 0) (unprocessed[table] ??= []).push(r);
          else (send[table] ??= []).push(r);
        }
      }
      const held = Object.values(unprocessed).reduce((n, list) => n + list.length, 0);
      if (held === 0) return next(args);
      injected.UnprocessedItems = (injected.UnprocessedItems ?? 0) + held;
      const result =
        Object.keys(send).length > 0 ? await next({ ...args, input: { ...input, RequestItems: send } }) : { output: { $metadata: {} }, response: {} };
      const output = result.output as { UnprocessedItems?: Record<string, BatchRequest[]> };
      const merged: Record<string, BatchRequest[]> = { ...(output.UnprocessedItems ?? {}) };
      for (const [table, list] of Object.entries(unprocessed)) merged[table] = [...(merged[table] ?? []), ...list];
      return { ...result, output: { ...output, UnprocessedItems: merged } } as typeof result;
    },
    { step: 'initialize', name: 'demoDynamoUnprocessed' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const keys = dynamoKeys(command, args.input as Record<string, unknown>);
      if (keys.some((k) => poison.has(k.pk) || poison.has(k.pk.split('#').slice(0, 2).join('#')))) {
        injected.poison = (injected.poison ?? 0) + 1;
        throw fault('ProvisionedThroughputExceededException', `injected: ${command} on a poison entity always fails`, 400);
      }
      // Only entity data (STOCK#…, WEATHER#…): alert markers are left alone, because a failed
      // `markSent` after a publish re-sends the alert by design (at least once, rules/alerts.ts).
      const fresh = command === 'BatchWriteItemCommand' ? [] : keys.filter((k) => /^(STOCK|WEATHER)#/.test(k.pk) && !seen.has(`${command}|${k.id}`));
      for (const k of keys) seen.add(`${command}|${k.id}`);
      if (fresh.some((k) => bucketOf(`${command}|${k.id}`, every) === 0)) {
        alternate += 1;
        const name = alternate % 2 === 0 ? 'ThrottlingException' : 'ProvisionedThroughputExceededException';
        injected[name] = (injected[name] ?? 0) + 1;
        throw fault(name, `injected: ${command} throttled (first attempt of this key)`, 400);
      }
      return next(args);
    },
    // 'build' (high priority): after lib-dynamodb's marshalling, before the stream capture and the SDK's retries.
    { step: 'build', name: 'demoDynamoFaults', priority: 'high' },
  );
  return { injected };
}

/** Adds the S3 fault middleware (PutObject only); returns its counters. */
export function injectS3Faults(client: S3Client, options: Pick<ClientFaultOptions, 'every'> = {}): FaultStats {
  const every = options.every ?? 5;
  const seen = new Set<string>();
  const injected: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand') {
        const input = args.input as { Bucket?: string; Key?: string };
        const id = `${input.Bucket}/${input.Key}`;
        if (!seen.has(id)) {
          seen.add(id);
          if (bucketOf(id, every) === 0) {
            injected.SlowDown = (injected.SlowDown ?? 0) + 1;
            throw fault('SlowDown', 'injected: Please reduce your request rate.', 503);
          }
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'demoS3Faults', priority: 'high' },
  );
  return { injected };
}

/** Marks a payload for base64 corruption on delivery (see the module comment). */
export const CORRUPT_BASE64_MARKER = '\u0000demo:corrupt-base64\u0000';

/** If the record carries the marker, its `data` becomes invalid base64 (a stray `*` and a bad length). */
export function corruptBase64(record: KinesisStreamRecord): KinesisStreamRecord {
  if (Buffer.from(record.kinesis.data, 'base64').toString('utf8') !== CORRUPT_BASE64_MARKER) return record;
  return { ...record, kinesis: { ...record.kinesis, data: `${record.kinesis.data.slice(0, -2)}*` } };
}

/** One invalid record put straight into the stream, with the quarantine code it must end up under. */
export interface InvalidRecord {
  readonly partitionKey: string;
  readonly data: string;
  readonly expectedCode: 'bad-base64' | 'malformed-json' | 'schema-invalid';
  readonly label: string;
}

/** The invalid records a fault run injects (fixed, so runs are comparable). */
export function invalidRecords(symbol: string): InvalidRecord[] {
  const tick = {
    schemaVersion: 1,
    type: 'stock',
    symbol,
    ts: '2024-03-01T00:00:00.000Z',
    price: 100,
    open: 100,
    high: 101,
    low: 99,
    prevClose: 100,
    volume: 1000,
    source: 'faults',
  };
  return [
    { label: 'corrupted base64 on delivery', partitionKey: symbol, data: CORRUPT_BASE64_MARKER, expectedCode: 'bad-base64' },
    { label: 'truncated JSON', partitionKey: symbol, data: JSON.stringify(tick).slice(0, 40), expectedCode: 'malformed-json' },
    { label: 'not JSON at all', partitionKey: symbol, data: `price=100;symbol=${symbol}`, expectedCode: 'malformed-json' },
    { label: 'negative price', partitionKey: symbol, data: JSON.stringify({ ...tick, price: -5 }), expectedCode: 'schema-invalid' },
    { label: 'missing ts', partitionKey: symbol, data: JSON.stringify({ ...tick, ts: undefined }), expectedCode: 'schema-invalid' },
    { label: 'unknown schemaVersion type', partitionKey: symbol, data: JSON.stringify({ ...tick, schemaVersion: 'one' }), expectedCode: 'schema-invalid' },
  ];
}
