/**
 * Local AWS services for tests and the demo: dynalite (DynamoDB), s3rver (S3) and kinesalite
 * (Kinesis), each on 127.0.0.1 on a free port (port 0), with SDK v3 clients already configured
 * for them (fake credentials, us-east-1, the settings DESIGN §11 lists as traps).
 *
 * ```ts
 * const ddb = await startDynalite({ tables: [metricsTableDefinition('Metrics')] });
 * const s3 = await startS3rver({ buckets: ['raw', 'processed'] });
 * afterAll(() => Promise.all([ddb.stop(), s3.stop()]));
 * ```
 *
 * Known limits: dynalite has no Streams/TTL update/transactions; kinesalite's FailedRecordCount
 * is always 0 (inject partial failures at the client layer); s3rver builds ListObjectsV2
 * continuation tokens with a cipher Node only has under `--openssl-legacy-provider` (a truncated
 * V2 page is an InternalError), so `listKeys` here pages with ListObjects (V1) and `Marker`.
 *
 * Lives in tools/ because the demo (`npm run demo`) starts the same services; test/helpers/local-aws.ts
 * re-exports it (tools never import test/).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStreamCommand, KinesisClient, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

// These servers ship without type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require('kinesalite') as (options: Record<string, unknown>) => Server;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (
  options: Record<string, unknown>,
) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** Client settings shared by every local client: fake credentials, HTTP/1.1, few retries. */
export function localClientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: typeof LOCAL_CREDENTIALS;
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
} {
  return { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 2 };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

// ---------------------------------------------------------------------------------------------
// DynamoDB

export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Marshalling document client over `client` (removeUndefinedValues on). */
  readonly doc: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

export interface StartDynaliteOptions {
  /** Tables to create (and wait for) before returning. @default [] */
  readonly tables?: readonly CreateTableCommandInput[];
}

/** A pk/sk table with string keys, on-demand billing: the shape of MetricsTable (`pk`, `ts`). */
export function metricsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'ts', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'ts', KeyType: 'RANGE' },
    ],
  };
}

/** A pk-only table with a string key: the shape of LatestTable (and other single-key tables). */
export function pkTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  };
}

/** Creates each table and waits until it is ACTIVE (dynalite: at once with createTableMs 0). */
export async function createTablesIn(client: DynamoDBClient, tables: readonly CreateTableCommandInput[]): Promise<void> {
  for (const table of tables) {
    await client.send(new CreateTableCommand(table));
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: table.TableName });
  }
}

export async function startDynalite(options: StartDynaliteOptions = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(server);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient(localClientConfig(endpoint));
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const stop = async (): Promise<void> => {
    client.destroy();
    await close(server);
  };
  try {
    await createTablesIn(client, options.tables ?? []);
  } catch (err) {
    await stop(); // never leave a server behind a failed start (it would keep jest alive)
    throw err;
  }
  return { endpoint, client, doc, stop };
}

// ---------------------------------------------------------------------------------------------
// S3

export interface LocalS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  /** Every key in a bucket (V1 pages with Marker, see the file comment), sorted. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  /** An object's bytes. */
  getBytes(bucket: string, key: string): Promise<Buffer>;
  stop(): Promise<void>;
}

export interface StartS3rverOptions {
  /** Buckets to create before returning. @default [] */
  readonly buckets?: readonly string[];
}

/** An S3 client for s3rver: path-style, checksums only when required (else aws-chunked bodies). */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    ...localClientConfig(endpoint),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * s3rver only accepts its own key pair (S3RVER/S3RVER); register the shared fake credentials too,
 * so every local client (tests, the demo) can use the same `test`/`test` pair.
 */
function registerLocalS3Credentials(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const account = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
  account.DUMMY_ACCOUNT.createKeyPair(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey);
}

export async function createBucketsIn(client: S3Client, buckets: readonly string[]): Promise<void> {
  for (const bucket of buckets) await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Every key under a prefix, sorted (ListObjects V1 pages with Marker, see the file comment). */
export async function listKeysIn(client: S3Client, bucket: string, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await client.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000, ...(marker ? { Marker: marker } : {}) }));
    const got = (page.Contents ?? []).map((o) => o.Key ?? '');
    keys.push(...got);
    if (!page.IsTruncated || got.length === 0) break;
    marker = got[got.length - 1];
  }
  return keys.sort();
}

export async function getObjectBytes(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

export async function startS3rver(options: StartS3rverOptions = {}): Promise<LocalS3> {
  registerLocalS3Credentials();
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localS3Client(endpoint);
  const stop = async (): Promise<void> => {
    client.destroy();
    await server.close();
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await createBucketsIn(client, options.buckets ?? []);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint,
    client,
    listKeys: (bucket, prefix) => listKeysIn(client, bucket, prefix),
    getBytes: (bucket, key) => getObjectBytes(client, bucket, key),
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// Kinesis

export interface LocalKinesis {
  readonly endpoint: string;
  readonly client: KinesisClient;
  stop(): Promise<void>;
}

export interface StreamDefinition {
  readonly streamName: string;
  /** @default 1 */
  readonly shardCount?: number;
}

export interface StartKinesaliteOptions {
  /** Streams to create (and wait for) before returning. @default [] */
  readonly streams?: readonly StreamDefinition[];
}

/** Creates each stream and waits until it is ACTIVE. */
export async function createStreamsIn(client: KinesisClient, streams: readonly StreamDefinition[]): Promise<void> {
  for (const stream of streams) {
    await client.send(new CreateStreamCommand({ StreamName: stream.streamName, ShardCount: stream.shardCount ?? 1 }));
    await waitUntilStreamExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { StreamName: stream.streamName });
  }
}

export async function startKinesalite(options: StartKinesaliteOptions = {}): Promise<LocalKinesis> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  const port = await listen(server);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new KinesisClient(localClientConfig(endpoint));
  const stop = async (): Promise<void> => {
    client.destroy();
    await close(server);
  };
  try {
    await createStreamsIn(client, options.streams ?? []);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, client, stop };
}
