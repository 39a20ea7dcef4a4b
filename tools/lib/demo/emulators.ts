/**
 * kinesalite, dynalite and s3rver for `npm run demo`, each in its own worker thread on a free
 * port of 127.0.0.1 (emulator-worker.cjs), with the stream, tables and buckets created from
 * generated/. The tests' tools/lib/local-aws.ts starts the same servers in-process; here they
 * get a core of their own, so the handlers' SDK work and the emulators' work overlap.
 *
 * Workers end with the process, so no emulator outlives the demo even when it is killed; the
 * s3rver data folder is removed by the caller's cleanup (see cleanup.ts).
 */
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateStreamCommand, KinesisClient, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { LOCAL_CREDENTIALS } from '../local-aws';
import { fastLocalConfig } from './local-clients';

export type EmulatorKind = 'kinesalite' | 'dynalite' | 's3rver';

export interface Emulator {
  readonly kind: EmulatorKind;
  readonly endpoint: string;
  /** The worker thread's V8 heap in use, bytes. */
  heapUsed(): Promise<number>;
  stop(): Promise<void>;
}

export class EmulatorStartError extends Error {
  override readonly name = 'EmulatorStartError';
}

const WORKER_FILE = path.join(__dirname, 'emulator-worker.cjs');

/** Starts one emulator in a worker thread; resolves once it listens. */
export function startEmulator(kind: EmulatorKind, options: { directory?: string } = {}): Promise<Emulator> {
  const worker = new Worker(WORKER_FILE, { workerData: { kind, directory: options.directory, credentials: LOCAL_CREDENTIALS } });
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(new EmulatorStartError(`${kind}: ${error.message}`));
    worker.once('error', onError);
    worker.once('message', (message: { type: string; port?: number; message?: string }) => {
      worker.off('error', onError);
      if (message.type !== 'listening') {
        void worker.terminate();
        reject(new EmulatorStartError(`${kind} did not start: ${message.message ?? message.type}`));
        return;
      }
      let stopped: Promise<void> | undefined;
      const waiting: ((bytes: number) => void)[] = [];
      worker.on('message', (m: { type: string; heapUsed?: number }) => {
        if (m.type === 'memory') waiting.shift()?.(m.heapUsed ?? 0);
      });
      resolve({
        kind,
        endpoint: `http://127.0.0.1:${message.port}`,
        heapUsed: () =>
          stopped
            ? Promise.resolve(0)
            : new Promise<number>((done) => {
                waiting.push(done);
                worker.postMessage({ type: 'memory' });
              }),
        stop: () =>
          (stopped ??= new Promise<void>((done) => {
            // A worker that does not answer in time is ended anyway (its store may still be open: rare, and only at exit).
            const timer = setTimeout(() => void worker.terminate().then(() => done()), 30_000);
            worker.on('message', (m: { type: string }) => {
              if (m.type !== 'stopped') return;
              clearTimeout(timer);
              void worker.terminate().then(() => done());
            });
            worker.postMessage({ type: 'stop' });
          })),
      });
    });
  });
}

export async function createStreams(endpoint: string, streams: readonly { streamName: string; shardCount: number }[]): Promise<void> {
  const client = new KinesisClient(fastLocalConfig(endpoint));
  try {
    for (const s of streams) {
      await client.send(new CreateStreamCommand({ StreamName: s.streamName, ShardCount: s.shardCount }));
      await waitUntilStreamExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { StreamName: s.streamName });
    }
  } finally {
    client.destroy();
  }
}

export async function createTables(endpoint: string, tables: readonly CreateTableCommandInput[]): Promise<void> {
  const client = new DynamoDBClient(fastLocalConfig(endpoint));
  try {
    for (const t of tables) {
      await client.send(new CreateTableCommand(t));
      await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: t.TableName });
    }
  } finally {
    client.destroy();
  }
}

export async function createBuckets(client: S3Client, buckets: readonly string[]): Promise<void> {
  for (const bucket of buckets) await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Every key under a prefix (ListObjects V1 with Marker: s3rver's V2 tokens need a legacy cipher, see tools/lib/local-aws.ts). */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
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

export async function getBytes(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}
