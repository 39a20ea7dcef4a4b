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
          const into = fresh && bucketOf(key, every) === 0 ? unprocessed : send;
          into[table] ??= [];
          into[table].push(r);
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
  readonly expectedCode: 'bad-base64' | 'malformed-json' | 'schema-invalid' | 'future-timestamp';
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

// ---------------------------------------------------------------------------------------------
// Bad data that must never corrupt state (issue 15 point 3)

/**
 * A tick dated far ahead of its arrival, posted through /ingest for the demo symbol: the enricher
 * must quarantine it as `future-timestamp` (RELIABILITY 7), so it never becomes a MetricsTable
 * item, a latest value or a TTL, and the symbol's next real tick still moves LatestTable.
 */
export const FUTURE_TS = '2999-01-01T00:00:00.000Z';

export function futureTick(symbol: string, price: number): Record<string, unknown> {
  return { schemaVersion: 1, type: 'stock', symbol, ts: FUTURE_TS, price, open: price, high: price, low: price, prevClose: price, volume: 1, source: 'faults' };
}

/** What the proof checks about the future tick, gathered by the query phase. */
export interface FutureTickFindings {
  readonly entity: string;
  readonly ts: string;
  /** Keys under `quarantine/future-timestamp/` in the raw bucket, with each object's reason. */
  readonly quarantined: readonly { readonly key: string; readonly reason: string }[];
  /** MetricsTable items (ticks, SMA rows, window rows) whose `ts` is the future tick's. */
  readonly metricsItemsAtTs: number;
  /** The entity's LatestTable `ts` and `smaTs` at the end. */
  readonly latestTs?: string;
  readonly latestSmaTs?: string;
  /** The real tick posted after the future one (it must be the entity's latest). */
  readonly laterTickTs: string;
}

/** One malformed Lambda event and the function it is handed to. */
export interface MalformedEventCase {
  readonly fn: 'enricher' | 'aggregator' | 'rules' | 'notifier';
  /** The event as written in the code, for the report. */
  readonly label: string;
  readonly event: unknown;
  /** The event kind the function's message names (handlers/lib/events.ts). */
  readonly kind: 'Kinesis' | 'DynamoDB stream' | 'SNS';
}

/** The malformed events the fault run hands to each function (wired to the wrong source, or an empty test event). */
export const MALFORMED_EVENTS: readonly MalformedEventCase[] = [
  { fn: 'enricher', label: '{}', event: {}, kind: 'Kinesis' },
  { fn: 'enricher', label: "{ Records: [{ eventSource: 'aws:sqs' }] }", event: { Records: [{ eventSource: 'aws:sqs' }] }, kind: 'Kinesis' },
  { fn: 'aggregator', label: '{}', event: {}, kind: 'Kinesis' },
  { fn: 'aggregator', label: "{ Records: [{ eventSource: 'aws:sqs' }] }", event: { Records: [{ eventSource: 'aws:sqs' }] }, kind: 'Kinesis' },
  { fn: 'rules', label: "{ Records: [{ eventName: 'INSERT' }] }", event: { Records: [{ eventName: 'INSERT' }] }, kind: 'DynamoDB stream' },
  { fn: 'notifier', label: '{ Records: [{}] }', event: { Records: [{}] }, kind: 'SNS' },
];

/** How one function answered one malformed event, and what changed in the stores meanwhile. */
export interface MalformedEventOutcome {
  readonly fn: MalformedEventCase['fn'];
  readonly label: string;
  readonly kind: MalformedEventCase['kind'];
  /** undefined when the call resolved instead of rejecting. */
  readonly errorName?: string;
  readonly message?: string;
  /** What differs in the stores after the call (writes made, items or objects added); empty when unchanged. */
  readonly storeChanges: readonly string[];
}

/** Why an outcome is not what the contract says (one line), or undefined when it is. */
export function malformedEventProblem(o: MalformedEventOutcome): string | undefined {
  const expected = `${o.fn}: malformed ${o.kind} event:`;
  const what = `${o.fn} with ${o.label}`;
  if (o.errorName === undefined) return `${what} did not reject`;
  if (o.errorName !== 'MalformedEventError') return `${what} rejected with ${o.errorName} instead of MalformedEventError: ${(o.message ?? '').split('\n')[0]}`;
  if (!(o.message ?? '').startsWith(expected)) return `${what}: message does not start with '${expected}' (got '${(o.message ?? '').split('\n')[0]}')`;
  if ((o.message ?? '').includes('\n')) return `${what}: message is more than one line`;
  if (o.storeChanges.length > 0) return `${what} changed the stores: ${o.storeChanges.join('; ')}`;
  return undefined;
}

/** A cheap picture of the stores: item and object counts, and the write calls the handlers' clients made. */
export type StoreSnapshot = Readonly<Record<string, number>>;

/** What differs between two snapshots, one entry per changed figure. */
export function snapshotChanges(before: StoreSnapshot, after: StoreSnapshot): string[] {
  return Object.keys({ ...before, ...after })
    .filter((k) => (before[k] ?? 0) !== (after[k] ?? 0))
    .map((k) => `${k} ${before[k] ?? 0} → ${after[k] ?? 0}`);
}

/** Hands each malformed event to its function; `snapshot` is taken around every call. */
export async function probeMalformedEvents(
  handlers: Readonly<Record<MalformedEventCase['fn'], (event: never) => Promise<unknown>>>,
  snapshot: () => Promise<StoreSnapshot>,
  cases: readonly MalformedEventCase[] = MALFORMED_EVENTS,
): Promise<MalformedEventOutcome[]> {
  const out: MalformedEventOutcome[] = [];
  for (const c of cases) {
    const before = await snapshot();
    let error: { name?: unknown; message?: unknown } | undefined;
    try {
      await handlers[c.fn](c.event as never);
    } catch (e) {
      error = (e ?? {}) as { name?: unknown; message?: unknown };
    }
    const storeChanges = snapshotChanges(before, await snapshot());
    out.push({ fn: c.fn, label: c.label, kind: c.kind, ...(error ? { errorName: String(error.name), message: String(error.message) } : {}), storeChanges });
  }
  return out;
}
