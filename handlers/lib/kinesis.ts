/**
 * Kinesis PutRecords that resends only the failed entries (RELIABILITY case 3), with bounded,
 * jittered backoff. PutRecords answers HTTP 200 with `FailedRecordCount` and a per-entry
 * `ErrorCode` (ProvisionedThroughputExceededException, InternalFailure): those entries, and only
 * those, go again. A whole-request throttle (the SDK's own retries exhausted) retries the lot.
 * What still fails after `maxAttempts` is returned, never dropped silently; callers decide
 * (`assertAllWritten` throws PartialWriteError).
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { PartialWriteError } from './errors';
import { equalJitterDelay, realSleep, type Sleep } from './backoff';

/** PutRecords limits: 500 entries and 5 MiB per request (1 MiB per record incl. partition key). */
export const PUT_RECORDS_MAX_ENTRIES = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
export const KINESIS_MAX_RECORD_BYTES = 1024 * 1024;

export interface KinesisEntry {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

export interface PutRecordsOptions {
  /** Attempts per entry, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff base, ms. @default 100 */
  readonly baseDelayMs?: number;
  /** Backoff ceiling, ms. @default 2000 */
  readonly maxDelayMs?: number;
  /** @default setTimeout-based sleep */
  readonly sleep?: Sleep;
  /** @default Math.random */
  readonly random?: () => number;
}

export interface FailedEntry {
  /** Index in the caller's `entries`. */
  readonly index: number;
  readonly partitionKey: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface PutRecordsSummary {
  readonly written: number;
  /** Entries that still failed after maxAttempts (or were too large to send). */
  readonly failed: readonly FailedEntry[];
  /** PutRecords requests made. */
  readonly requests: number;
  /** Entry-level retries (entries sent again). */
  readonly retriedEntries: number;
  /** Sequence number per written entry index (for logs and tests). */
  readonly sequenceNumbers: ReadonlyMap<number, { shardId: string; sequenceNumber: string }>;
}

const RETRYABLE_REQUEST_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'InternalFailure',
  'ServiceUnavailable',
  'KMSThrottlingException',
]);

function chunk(indices: number[], entries: readonly KinesisEntry[]): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const i of indices) {
    const e = entries[i]!;
    const size = e.data.byteLength + Buffer.byteLength(e.partitionKey);
    if (current.length > 0 && (current.length >= PUT_RECORDS_MAX_ENTRIES || bytes + size > PUT_RECORDS_MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export async function putRecordsReliably(
  client: KinesisClient,
  streamName: string,
  entries: readonly KinesisEntry[],
  options: PutRecordsOptions = {},
): Promise<PutRecordsSummary> {
  const { maxAttempts = 5, baseDelayMs = 100, maxDelayMs = 2000, sleep = realSleep, random = Math.random } = options;
  const failedFinal: FailedEntry[] = [];
  const sequenceNumbers = new Map<number, { shardId: string; sequenceNumber: string }>();
  let requests = 0;
  let retriedEntries = 0;

  let pending: number[] = [];
  entries.forEach((e, i) => {
    const size = e.data.byteLength + Buffer.byteLength(e.partitionKey);
    if (size > KINESIS_MAX_RECORD_BYTES) {
      failedFinal.push({
        index: i,
        partitionKey: e.partitionKey,
        errorCode: 'RecordTooLarge',
        errorMessage: `record of ${size} bytes exceeds the 1 MiB Kinesis limit; it was not sent`,
      });
    } else pending.push(i);
  });
  const lastError = new Map<number, { code: string; message: string }>();

  for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt += 1) {
    if (attempt > 0) {
      retriedEntries += pending.length;
      await sleep(equalJitterDelay(attempt - 1, { baseMs: baseDelayMs, maxMs: maxDelayMs, random }));
    }
    const next: number[] = [];
    for (const indices of chunk(pending, entries)) {
      const records: PutRecordsRequestEntry[] = indices.map((i) => ({ PartitionKey: entries[i]!.partitionKey, Data: entries[i]!.data }));
      requests += 1;
      let results;
      try {
        const out = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: records }));
        results = out.Records ?? [];
      } catch (err) {
        const name = (err as { name?: string }).name ?? 'Error';
        if (!RETRYABLE_REQUEST_ERRORS.has(name)) throw err;
        for (const i of indices) lastError.set(i, { code: name, message: (err as Error).message });
        next.push(...indices);
        continue;
      }
      indices.forEach((entryIndex, k) => {
        const r = results[k];
        if (r && r.ErrorCode === undefined && r.SequenceNumber !== undefined) {
          sequenceNumbers.set(entryIndex, { shardId: r.ShardId ?? '', sequenceNumber: r.SequenceNumber });
        } else {
          lastError.set(entryIndex, { code: r?.ErrorCode ?? 'MissingResult', message: r?.ErrorMessage ?? 'no result entry returned for this record' });
          next.push(entryIndex);
        }
      });
    }
    pending = next;
  }
  for (const i of pending) {
    const err = lastError.get(i) ?? { code: 'Unknown', message: '' };
    failedFinal.push({ index: i, partitionKey: entries[i]!.partitionKey, errorCode: err.code, errorMessage: err.message });
  }
  failedFinal.sort((a, b) => a.index - b.index);
  return { written: sequenceNumbers.size, failed: failedFinal, requests, retriedEntries, sequenceNumbers };
}

/** Throws PartialWriteError naming the failed entries when any entry was not written. */
export function assertAllWritten(summary: PutRecordsSummary, streamName: string): void {
  if (summary.failed.length === 0) return;
  const sample = summary.failed
    .slice(0, 5)
    .map((f) => `${f.partitionKey}: ${f.errorCode}`)
    .join(', ');
  throw new PartialWriteError(
    `PutRecords to ${streamName}: ${summary.failed.length} of ${summary.failed.length + summary.written} records were not written after retries (${sample}); the invocation fails so they are retried`,
  );
}

/** JSON → UTF-8 bytes, the record format of the canonical events. */
export function jsonEntry(partitionKey: string, value: unknown): KinesisEntry {
  return { partitionKey, data: Buffer.from(JSON.stringify(value), 'utf8') };
}
