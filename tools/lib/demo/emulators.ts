/**
 * kinesalite, dynalite and s3rver for `npm run demo`, each in its own child process on a free
 * port of 127.0.0.1 (emulator-process.cjs), with the stream, tables and buckets created from
 * generated/. The tests' tools/lib/local-aws.ts starts the same servers in-process; here they
 * get a core of their own, so the handlers' SDK work and the emulators' work overlap, and with a
 * `directory` dynalite and kinesalite keep their data on disk (LevelDB) instead of in memory.
 *
 * A child exits when its IPC channel to the demo closes, so no emulator outlives the demo even
 * when the demo is killed; `killSync` ends it at once (a second Ctrl-C). Data folders are
 * removed by the caller's cleanup (see cleanup.ts).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { createStreamsIn, createTablesIn, LOCAL_CREDENTIALS } from '../local-aws';
import { fastLocalConfig } from './local-clients';

export type EmulatorKind = 'kinesalite' | 'dynalite' | 's3rver';

/** An emulator process's memory, bytes. */
export interface EmulatorMemory {
  readonly heapUsed: number;
  readonly rss: number;
  /** The process's peak resident set so far. */
  readonly maxRss: number;
}

export interface Emulator {
  readonly kind: EmulatorKind;
  readonly endpoint: string;
  /** The process id (for the run's figures). */
  readonly pid: number;
  /** The emulator process's memory (zeros once stopped). */
  memory(): Promise<EmulatorMemory>;
  /** Closes the server (and its store), then the process ends. */
  stop(): Promise<void>;
  /** Ends the process now (safe in a signal handler). */
  killSync(): void;
}

export class EmulatorStartError extends Error {
  override readonly name = 'EmulatorStartError';
}

const PROCESS_FILE = path.join(__dirname, 'emulator-process.cjs');
const NO_MEMORY: EmulatorMemory = { heapUsed: 0, rss: 0, maxRss: 0 };

/**
 * Starts one emulator in a child process; resolves once it listens.
 * @param options.directory s3rver's object folder; for dynalite and kinesalite a LevelDB folder (else in memory)
 */
export function startEmulator(kind: EmulatorKind, options: { directory?: string } = {}): Promise<Emulator> {
  const child = fork(PROCESS_FILE, [], {
    // Not the parent's flags: no TypeScript loader or heap cap of the demo in a plain .cjs server.
    execArgv: [],
    env: { ...process.env, EMULATOR_CONFIG: JSON.stringify({ kind, directory: options.directory, credentials: LOCAL_CREDENTIALS }) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const killSync = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void =>
      reject(new EmulatorStartError(`${kind} exited (code ${code}) before it listened${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`));
    const onError = (error: Error): void => reject(new EmulatorStartError(`${kind}: ${error.message}`));
    child.once('exit', onExit);
    child.once('error', onError);
    child.once('message', (message: { type: string; port?: number; message?: string }) => {
      child.off('exit', onExit);
      child.off('error', onError);
      if (message.type !== 'listening') {
        killSync();
        reject(new EmulatorStartError(`${kind} did not start: ${message.message ?? message.type}`));
        return;
      }
      let stopped: Promise<void> | undefined;
      const waiting: ((m: EmulatorMemory) => void)[] = [];
      child.on('message', (m: { type: string } & Partial<EmulatorMemory>) => {
        if (m.type === 'memory') waiting.shift()?.({ heapUsed: m.heapUsed ?? 0, rss: m.rss ?? 0, maxRss: m.maxRss ?? 0 });
      });
      child.once('exit', () => {
        for (const w of waiting.splice(0)) w(NO_MEMORY);
      });
      resolve({
        kind,
        endpoint: `http://127.0.0.1:${message.port}`,
        pid: child.pid ?? 0,
        memory: () =>
          stopped || exited
            ? Promise.resolve(NO_MEMORY)
            : new Promise<EmulatorMemory>((done) => {
                waiting.push(done);
                child.send({ type: 'memory' });
              }),
        stop: () =>
          (stopped ??= new Promise<void>((done) => {
            if (exited) return done();
            // A process that does not answer in time is ended anyway.
            const timer = setTimeout(killSync, 30_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.on('message', (m: { type: string }) => {
              if (m.type === 'stopped') child.disconnect(); // it exits on disconnect
            });
            child.send({ type: 'stop' });
          })),
        killSync,
      });
    });
  });
}

export async function createStreams(endpoint: string, streams: readonly { streamName: string; shardCount: number }[]): Promise<void> {
  const client = new KinesisClient(fastLocalConfig(endpoint));
  try {
    await createStreamsIn(client, streams);
  } finally {
    client.destroy();
  }
}

export async function createTables(endpoint: string, tables: readonly CreateTableCommandInput[]): Promise<void> {
  const client = new DynamoDBClient(fastLocalConfig(endpoint));
  try {
    await createTablesIn(client, tables);
  } finally {
    client.destroy();
  }
}

// The S3 helpers are local-aws.ts's, by the names the demo uses.
export { createBucketsIn as createBuckets, getObjectBytes as getBytes, listKeysIn as listKeys } from '../local-aws';
