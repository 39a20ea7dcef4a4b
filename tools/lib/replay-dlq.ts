/**
 * DLQ replay: moves the records behind Lambda on-failure messages back into their Kinesis stream.
 *
 * An on-failure message for a Kinesis event source holds no data, only a pointer (AWS Lambda
 * developer guide, "Retain discarded batch records"):
 * `{ requestContext: {requestId, functionArn, condition, approximateInvokeCount},
 *    responseContext: {statusCode, executedVersion, functionError}, version, timestamp,
 *    KinesisBatchInfo: {shardId, startSequenceNumber, endSequenceNumber,
 *      approximateArrivalOfFirstRecord, approximateArrivalOfLastRecord, batchSize, streamArn} }`
 * so the records are re-read with GetShardIterator AT_SEQUENCE_NUMBER + GetRecords (they must
 * still be within the stream's retention), put back with PutRecords, and only then is the message
 * deleted.
 *
 * Idempotency: a marker per batch (`REPLAY#<streamArn>#<shardId>#<start>#<end>`):
 *
 * | marker     | meaning                                        | this run                                  |
 * | ---------- | ---------------------------------------------- | ----------------------------------------- |
 * | absent     | never replayed                                 | begin → put → done → delete message       |
 * | `done`     | replayed earlier (message left behind/duplicate)| delete the message, put nothing           |
 * | `partial`  | some records were written, `written` lists them| put only the rest → done → delete         |
 * | `started`  | a run crashed mid-put: unknown what landed     | skip with a reason (`--force` replays)    |
 *
 * A message that cannot be replayed (not an on-failure record, a DynamoDB stream batch, records
 * past retention, stream gone) stays in the queue and the reason is reported.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { putRecordsReliably, type PutRecordsOptions } from '../../handlers/lib/kinesis';
import { numberFlag, regionFlag, urlFlag, type CliArgs } from './cli';
import { UsageError } from './errors';

export interface KinesisBatchInfo {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly approximateArrivalOfFirstRecord?: string;
  readonly approximateArrivalOfLastRecord?: string;
  readonly batchSize: number;
  readonly streamArn: string;
}

export interface OnFailureRecord {
  readonly requestContext: { readonly requestId: string; readonly functionArn: string; readonly condition: string; readonly approximateInvokeCount: number };
  readonly responseContext?: { readonly statusCode?: number; readonly executedVersion?: string; readonly functionError?: string | null };
  readonly version?: string;
  readonly timestamp?: string;
  readonly KinesisBatchInfo?: KinesisBatchInfo;
  readonly DDBStreamBatchInfo?: Record<string, unknown>;
}

export type ParsedMessage = { ok: true; record: OnFailureRecord; batch: KinesisBatchInfo } | { ok: false; reason: string };

const SEQUENCE = /^\d{1,128}$/;

export function parseOnFailureMessage(body: string): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: `not a Lambda on-failure record: the body is not JSON (${body.slice(0, 60)})` };
  }
  if (typeof value !== 'object' || value === null || typeof (value as Record<string, unknown>).requestContext !== 'object') {
    return { ok: false, reason: 'not a Lambda on-failure record: no requestContext' };
  }
  const record = value as OnFailureRecord;
  if (record.DDBStreamBatchInfo && !record.KinesisBatchInfo) {
    return {
      ok: false,
      reason:
        'a DynamoDB Streams batch: its records cannot be put back into a Kinesis stream; replay it by re-writing the items, or inspect it with get-records on the DynamoDB stream',
    };
  }
  const b = record.KinesisBatchInfo as Partial<KinesisBatchInfo> | undefined;
  if (!b) return { ok: false, reason: 'not a Lambda on-failure record for Kinesis: no KinesisBatchInfo' };
  const problems: string[] = [];
  if (typeof b.shardId !== 'string' || b.shardId === '') problems.push('shardId');
  if (typeof b.startSequenceNumber !== 'string' || !SEQUENCE.test(b.startSequenceNumber)) problems.push('startSequenceNumber');
  if (typeof b.endSequenceNumber !== 'string' || !SEQUENCE.test(b.endSequenceNumber)) problems.push('endSequenceNumber');
  if (typeof b.streamArn !== 'string' || !/^arn:aws[\w-]*:kinesis:[^:]*:\d*:stream\/.+/.test(b.streamArn)) problems.push('streamArn');
  const batchSize = typeof b.batchSize === 'string' ? Number(b.batchSize) : b.batchSize;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1) problems.push('batchSize');
  if (problems.length > 0) return { ok: false, reason: `KinesisBatchInfo has missing or malformed ${problems.join(', ')}` };
  if (BigInt(b.endSequenceNumber!) < BigInt(b.startSequenceNumber!))
    return { ok: false, reason: 'KinesisBatchInfo endSequenceNumber is before startSequenceNumber' };
  return { ok: true, record, batch: { ...(b as KinesisBatchInfo), batchSize: batchSize as number } };
}

export function streamNameFromArn(arn: string): string {
  return arn.slice(arn.indexOf(':stream/') + ':stream/'.length);
}

export function markerKey(batch: KinesisBatchInfo): string {
  return `REPLAY#${batch.streamArn}#${batch.shardId}#${batch.startSequenceNumber}#${batch.endSequenceNumber}`;
}

// ---------------------------------------------------------------------------------------------
// reading the batch back

export type ReadResult = { ok: true; records: _Record[] } | { ok: false; reason: string };

export interface ReadOptions {
  /** GetRecords calls before giving up on reaching endSequenceNumber. @default 50 */
  readonly maxCalls?: number;
}

export async function readBatch(kinesis: KinesisClient, streamName: string, batch: KinesisBatchInfo, options: ReadOptions = {}): Promise<ReadResult> {
  const { maxCalls = 50 } = options;
  const start = BigInt(batch.startSequenceNumber);
  const end = BigInt(batch.endSequenceNumber);
  let iterator: string | undefined;
  try {
    const out = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: batch.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: batch.startSequenceNumber,
      }),
    );
    iterator = out.ShardIterator;
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'ResourceNotFoundException')
      return {
        ok: false,
        reason: `stream ${streamName} or shard ${batch.shardId} does not exist (deleted, or a different account/region); pass --stream if the records were moved`,
      };
    if (name === 'InvalidArgumentException')
      return {
        ok: false,
        reason: `sequence number ${batch.startSequenceNumber} is not valid for ${streamName}/${batch.shardId} (${(err as Error).message}); the records may have expired past the stream's retention, or --stream names another stream`,
      };
    throw err;
  }
  const records: _Record[] = [];
  for (let call = 0; call < maxCalls && iterator; call += 1) {
    const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(10_000, batch.batchSize + 1) }));
    for (const r of out.Records ?? []) {
      const seq = BigInt(r.SequenceNumber!);
      if (records.length === 0 && seq !== start) {
        return {
          ok: false,
          reason: `the first record still in ${streamName}/${batch.shardId} is ${r.SequenceNumber}, after the batch start ${batch.startSequenceNumber}: the records expired past the stream's retention and cannot be replayed`,
        };
      }
      if (seq > end) return { ok: true, records };
      records.push(r);
      if (records.length >= batch.batchSize) return { ok: true, records };
    }
    if ((out.Records ?? []).length === 0 && out.MillisBehindLatest === 0) break;
    iterator = out.NextShardIterator;
  }
  if (records.length === 0)
    return {
      ok: false,
      reason: `no record at ${batch.startSequenceNumber} in ${streamName}/${batch.shardId}: the records expired past the stream's retention`,
    };
  if (BigInt(records[records.length - 1]!.SequenceNumber!) < end) {
    return {
      ok: false,
      reason: `read ${records.length} of ${batch.batchSize} records but never reached endSequenceNumber ${batch.endSequenceNumber}; not replaying a partial batch`,
    };
  }
  return { ok: true, records };
}

// ---------------------------------------------------------------------------------------------
// markers

export interface ReplayMarker {
  readonly status: 'started' | 'partial' | 'done';
  /** Indexes (within the batch) already written back. */
  readonly written: readonly number[];
  readonly updatedAt: string;
  readonly messageId?: string;
}

export interface MarkerStore {
  get(key: string): Promise<ReplayMarker | undefined>;
  /** Claims the batch: false when another run holds it (`started` and not forced). */
  begin(key: string, marker: ReplayMarker, force: boolean): Promise<boolean>;
  put(key: string, marker: ReplayMarker): Promise<void>;
}

export function memoryMarkerStore(): MarkerStore & { readonly markers: Map<string, ReplayMarker> } {
  const markers = new Map<string, ReplayMarker>();
  return {
    markers,
    async get(key) {
      return markers.get(key);
    },
    async begin(key, marker, force) {
      const existing = markers.get(key);
      if (existing?.status === 'started' && !force) return false;
      markers.set(key, { ...marker, written: existing?.written ?? [] });
      return true;
    },
    async put(key, marker) {
      markers.set(key, marker);
    },
  };
}

/** Markers in a local JSON file (default `.cache/replay-dlq-markers.json`): one operator's machine. */
export function fileMarkerStore(path: string): MarkerStore {
  const load = (): Record<string, ReplayMarker> => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Record<string, ReplayMarker>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`${path}: the replay marker file is not valid JSON; fix or remove it (removing it forgets which batches were replayed)`);
    }
  };
  const save = (all: Record<string, ReplayMarker>): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
  };
  return {
    async get(key) {
      return load()[key];
    },
    async begin(key, marker, force) {
      const all = load();
      if (all[key]?.status === 'started' && !force) return false;
      all[key] = { ...marker, written: all[key]?.written ?? [] };
      save(all);
      return true;
    },
    async put(key, marker) {
      const all = load();
      all[key] = marker;
      save(all);
    },
  };
}

/** Markers as items in a DynamoDB table with a string `pk` (e.g. LatestTable), TTL 30 days. */
export function dynamoMarkerStore(doc: DynamoDBDocumentClient, tableName: string, now: () => Date = () => new Date()): MarkerStore {
  const expiresAt = () => Math.floor(now().getTime() / 1000) + 30 * 86_400;
  return {
    async get(key) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: key }, ConsistentRead: true }));
      return out.Item as ReplayMarker | undefined;
    },
    async begin(key, marker, force) {
      const existing = await this.get(key);
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: key, ...marker, written: existing?.written ?? [], expiresAt: expiresAt() },
            ...(force
              ? {}
              : {
                  ConditionExpression: 'attribute_not_exists(pk) OR #s <> :started',
                  ExpressionAttributeNames: { '#s': 'status' },
                  ExpressionAttributeValues: { ':started': 'started' },
                }),
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw err;
      }
    },
    async put(key, marker) {
      await doc.send(new PutCommand({ TableName: tableName, Item: { pk: key, ...marker, expiresAt: expiresAt() } }));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// the replay

/** An SQS queue URL taken apart. */
export interface QueueUrl {
  readonly url: string;
  /** The region in the URL's host; undefined for a local endpoint (localhost, moto, LocalStack). */
  readonly region: string | undefined;
  readonly accountId: string;
  readonly queueName: string;
}

/**
 * `https://sqs.<region>.amazonaws.com[.cn]/<account>/<queue>` (or the legacy
 * `https://<region>.queue.amazonaws.com/…`) and, for local endpoints, any http(s) host with the
 * same `/<12-digit account>/<queue>` path. Anything else is a reason string, so the CLI can refuse
 * it before any network call.
 */
export function parseQueueUrl(value: string): QueueUrl | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `not a URL (expected https://sqs.<region>.amazonaws.com/<account>/<queue>)`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `not an http(s) URL (expected https://sqs.<region>.amazonaws.com/<account>/<queue>)`;
  const path = /^\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)\/?$/.exec(url.pathname);
  if (!path || url.search !== '' || url.hash !== '')
    return `its path is not /<12-digit account>/<queue name> (got ${JSON.stringify(url.pathname + url.search)})`;
  const host = url.hostname.toLowerCase();
  const aws =
    /^sqs\.([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2})\.amazonaws\.com(?:\.cn)?$/.exec(host) ??
    /^([a-z]{2}(?:-gov)?-[a-z]+-\d{1,2})\.queue\.amazonaws\.com(?:\.cn)?$/.exec(host);
  if (!aws && /(^|\.)amazonaws\.com(\.cn)?$/.test(host)) return `${host} is not an SQS endpoint (expected sqs.<region>.amazonaws.com)`;
  if (aws && url.protocol !== 'https:') return 'AWS queue URLs are https://';
  return { url: value, region: aws?.[1], accountId: path[1]!, queueName: path[2]! };
}

export interface ReplayOptions {
  readonly sqs: SQSClient;
  readonly kinesis: KinesisClient;
  readonly queueUrl: string;
  /** Put the records into this stream (and read them from it) instead of the one in the message. */
  readonly streamName?: string;
  /** Read and report only: nothing is written or deleted; received messages are made visible again. @default false */
  readonly dryRun?: boolean;
  /** Stop after this many messages. @default Infinity */
  readonly max?: number;
  /** Replay batches whose marker says `started` (a crashed run). @default false */
  readonly force?: boolean;
  readonly markers: MarkerStore;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Lines for the operator. @default no output */
  readonly log?: (line: string) => void;
  /** Visibility timeout while a message is being handled, s. @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** Long-poll wait per receive, s. @default 1 */
  readonly waitTimeSeconds?: number;
  readonly putOptions?: PutRecordsOptions;
}

export type MessageOutcome =
  | { readonly messageId: string; readonly status: 'replayed'; readonly records: number; readonly stream: string }
  | { readonly messageId: string; readonly status: 'would-replay'; readonly records: number; readonly stream: string }
  | { readonly messageId: string; readonly status: 'already-replayed'; readonly at: string }
  | { readonly messageId: string; readonly status: 'skipped'; readonly reason: string };

export interface ReplayReport {
  readonly received: number;
  readonly outcomes: readonly MessageOutcome[];
  readonly deleted: number;
}

export async function replayDlq(options: ReplayOptions): Promise<ReplayReport> {
  const {
    sqs,
    kinesis,
    queueUrl,
    dryRun = false,
    max = Number.POSITIVE_INFINITY,
    force = false,
    markers,
    now = () => new Date(),
    log = () => {},
    visibilityTimeoutSeconds = 60,
    waitTimeSeconds = 1,
  } = options;
  const outcomes: MessageOutcome[] = [];
  const seen = new Set<string>();
  const toRelease: Message[] = [];
  let deleted = 0;

  const remove = async (m: Message): Promise<void> => {
    if (dryRun) return;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    deleted += 1;
  };
  const skip = (m: Message, reason: string): void => {
    if (!toRelease.includes(m)) toRelease.push(m);
    outcomes.push({ messageId: m.MessageId!, status: 'skipped', reason });
    log(`skipped ${m.MessageId}: ${reason}`);
  };

  while (outcomes.length < max) {
    const batchSize = Math.max(1, Math.min(10, max - outcomes.length));
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: batchSize,
        WaitTimeSeconds: waitTimeSeconds,
        VisibilityTimeout: visibilityTimeoutSeconds,
      }),
    );
    const fresh = (out.Messages ?? []).filter((m) => m.MessageId !== undefined && !seen.has(m.MessageId));
    if (fresh.length === 0) break;
    for (const m of fresh) {
      if (outcomes.length >= max) {
        toRelease.push(m);
        continue;
      }
      seen.add(m.MessageId!);
      if (dryRun) toRelease.push(m);
      const parsed = parseOnFailureMessage(m.Body ?? '');
      if (!parsed.ok) {
        skip(m, parsed.reason);
        continue;
      }
      const { batch } = parsed;
      const stream = options.streamName ?? streamNameFromArn(batch.streamArn);
      const key = markerKey(batch);
      const marker = await markers.get(key);
      if (marker?.status === 'done') {
        outcomes.push({ messageId: m.MessageId!, status: 'already-replayed', at: marker.updatedAt });
        log(
          `${m.MessageId}: batch ${batch.shardId} ${batch.startSequenceNumber}…${batch.endSequenceNumber} was already replayed at ${marker.updatedAt}; ${dryRun ? 'would delete' : 'deleting'} the message without writing again`,
        );
        await remove(m);
        continue;
      }
      if (marker?.status === 'started' && !force) {
        skip(
          m,
          `a replay of this batch started at ${marker.updatedAt} and did not finish, so some records may already be in the stream; check, then re-run with --force`,
        );
        continue;
      }
      const read = await readBatch(kinesis, stream, batch);
      if (!read.ok) {
        skip(m, read.reason);
        continue;
      }
      const done = new Set(marker?.written ?? []);
      const todo = read.records.map((r, i) => ({ r, i })).filter(({ i }) => !done.has(i));
      if (dryRun) {
        outcomes.push({ messageId: m.MessageId!, status: 'would-replay', records: todo.length, stream });
        log(
          `${m.MessageId}: would replay ${todo.length} of ${read.records.length} records (${[...new Set(todo.map(({ r }) => r.PartitionKey))].join(', ')}) into ${stream}`,
        );
        continue;
      }
      if (!(await markers.begin(key, { status: 'started', written: [...done], updatedAt: now().toISOString(), messageId: m.MessageId! }, force))) {
        skip(m, 'another replay run is handling this batch right now');
        continue;
      }
      const put = await putRecordsReliably(
        kinesis,
        stream,
        todo.map(({ r }) => ({ partitionKey: r.PartitionKey!, data: r.Data! })),
        options.putOptions,
      );
      const written = [...done, ...[...put.sequenceNumbers.keys()].map((k) => todo[k]!.i)].sort((a, b) => a - b);
      if (put.failed.length > 0) {
        await markers.put(key, { status: 'partial', written, updatedAt: now().toISOString(), messageId: m.MessageId! });
        skip(
          m,
          `${put.failed.length} of ${todo.length} records were not accepted by ${stream} (${put.failed[0]!.errorCode}); the message is kept and a re-run puts only those`,
        );
        continue;
      }
      await markers.put(key, { status: 'done', written, updatedAt: now().toISOString(), messageId: m.MessageId! });
      await remove(m);
      outcomes.push({ messageId: m.MessageId!, status: 'replayed', records: todo.length, stream });
      log(
        `${m.MessageId}: replayed ${todo.length} records of ${batch.shardId} ${batch.startSequenceNumber}…${batch.endSequenceNumber} into ${stream}; message deleted`,
      );
    }
  }
  // Messages we only looked at (skipped, over --max, or a dry run) go back to the queue at once.
  for (const m of toRelease) {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
  }
  return { received: seen.size, outcomes, deleted };
}

// ---------------------------------------------------------------------------------------------
// Command line

/** The command line of `npm run replay-dlq` (tools/replay-dlq.ts). */
export const REPLAY_CLI = {
  name: 'replay-dlq',
  usage:
    'usage: npm run replay-dlq -- --queue <url> [--stream <name>] [--dry-run] [--max N] [--force] [--marker-table <name> | --marker-file <path>] [--region <r>] [--profile <p>] [--endpoint-url <url>] [--debug]',
  options: {
    queue: { type: 'string' },
    stream: { type: 'string' },
    'dry-run': { type: 'boolean' },
    max: { type: 'string' },
    force: { type: 'boolean' },
    'marker-table': { type: 'string' },
    'marker-file': { type: 'string' },
    region: { type: 'string' },
    profile: { type: 'string' },
    'endpoint-url': { type: 'string' },
  },
} as const;

export interface ReplayCliOptions {
  readonly queueUrl: string;
  readonly region: string;
  readonly stream?: string;
  readonly dryRun: boolean;
  readonly max?: number;
  readonly force: boolean;
  readonly markerTable?: string;
  readonly markerFile: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
}

/** Checks every flag (UsageError naming it) and resolves the region; makes no network call. */
export function resolveReplayOptions({ values }: CliArgs<typeof REPLAY_CLI.options>): ReplayCliOptions {
  if (!values.queue)
    throw new UsageError(
      '--queue is required (the URL of the on-failure queue, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/stockwx-dev-enricher-dlq)',
    );
  const queue = parseQueueUrl(values.queue);
  if (typeof queue === 'string') throw new UsageError(`--queue ${values.queue}: ${queue}`);
  const endpointUrl = values['endpoint-url'] === undefined ? undefined : urlFlag('endpoint-url', values['endpoint-url']);
  const flagRegion = values.region === undefined ? undefined : regionFlag('region', values.region);
  if (queue.region === undefined && endpointUrl === undefined)
    throw new UsageError(
      `--queue ${values.queue}: not an AWS SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>); for a local queue pass --endpoint-url and --region`,
    );
  if (queue.region !== undefined && flagRegion !== undefined && flagRegion !== queue.region)
    throw new UsageError(`--region ${flagRegion} contradicts the queue URL, which is in ${queue.region}; drop --region`);
  const region = queue.region ?? flagRegion;
  if (region === undefined) throw new UsageError(`--region is required for a local queue URL (${values.queue} names no region)`);
  if (values['marker-table'] !== undefined && values['marker-file'] !== undefined)
    throw new UsageError('--marker-table and --marker-file exclude each other; pick one');
  return {
    queueUrl: queue.url,
    region,
    ...(values.stream !== undefined ? { stream: values.stream } : {}),
    dryRun: values['dry-run'] === true,
    ...(values.max !== undefined ? { max: numberFlag('max', values.max, { min: 1, integer: true }) } : {}),
    force: values.force === true,
    ...(values['marker-table'] !== undefined ? { markerTable: values['marker-table'] } : {}),
    markerFile: values['marker-file'] ?? '.cache/replay-dlq-markers.json',
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    ...(endpointUrl !== undefined ? { endpointUrl } : {}),
  };
}
