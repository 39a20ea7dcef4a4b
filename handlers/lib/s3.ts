/**
 * S3 adapter: the raw zone (gzip NDJSON exactly as received), the processed zone (Parquet) and
 * quarantine objects. Every failure becomes a retryable {@link PartialWriteError} naming the key,
 * so the records behind it land in `batchItemFailures`.
 */
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PartialWriteError } from './errors';
import type { QuarantineCode } from './decode';

async function put(s3: S3Client, bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  } catch (err) {
    throw new PartialWriteError(
      `S3 PutObject s3://${bucket}/${key} failed (${(err as Error).name}: ${(err as Error).message}); the records behind it will be retried`,
      { cause: err },
    );
  }
}

/** NDJSON lines → gzip bytes (one line per record, no trailing newline lost). */
export function gzipNdjson(lines: readonly string[]): Buffer {
  return gzipSync(lines.map((l) => `${l}\n`).join(''));
}

/** Writes `raw/…json.gz`: each line is a record's payload exactly as received. */
export async function putRawNdjson(s3: S3Client, bucket: string, key: string, lines: readonly string[]): Promise<void> {
  // No ContentEncoding: the object *is* a .gz file (Athena/Glue read it by extension); with
  // `Content-Encoding: gzip` HTTP clients would transparently inflate it.
  await put(s3, bucket, key, gzipNdjson(lines), 'application/x-ndjson');
}

export async function putParquet(s3: S3Client, bucket: string, key: string, bytes: Uint8Array): Promise<void> {
  await put(s3, bucket, key, bytes, 'application/vnd.apache.parquet');
}

/** The body of a quarantine object: why, where from, and the payload as received (base64). */
export interface QuarantineObject {
  readonly code: QuarantineCode;
  readonly reason: string;
  readonly eventID: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly approximateArrivalTimestamp: number;
  /** When it was quarantined (ISO). */
  readonly quarantinedAt: string;
  /** The record's `kinesis.data` untouched (base64, possibly invalid). */
  readonly data: string;
}

export async function putQuarantine(s3: S3Client, bucket: string, key: string, object: QuarantineObject): Promise<void> {
  await put(s3, bucket, key, JSON.stringify(object), 'application/json');
}

/**
 * The S3 client handlers use. When a local endpoint is set (`AWS_ENDPOINT_URL_S3` or
 * `AWS_ENDPOINT_URL`, read by the SDK itself) it switches to path-style addressing and
 * checksums only when required, which local S3 servers (s3rver) need.
 */
export function createS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  const local = (env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL) !== undefined;
  return new S3Client(local ? { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {});
}
