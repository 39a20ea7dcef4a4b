/**
 * Uploads content-addressed artifacts: HEAD first and skip what is already there (the key is the
 * content's sha256, so an existing key means identical bytes), at most `concurrency` requests
 * at a time. Every request carries `ExpectedBucketOwner` when the owner's account is known, so S3
 * refuses (403) a bucket of another account instead of taking our artifacts.
 */
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeAwsError, PackageError } from '../deploy/errors';
import { pLimit } from './limit';

export interface UploadItem {
  readonly key: string;
  readonly body: Buffer;
  readonly contentType: string;
}

export interface UploadResult {
  /** Keys written, sorted. */
  readonly uploaded: string[];
  /** Keys that already existed, sorted. */
  readonly skipped: string[];
}

export interface UploadOptions {
  /** Parallel S3 requests. @default 8 */
  readonly concurrency?: number;
  /** Account that must own the bucket (ExpectedBucketOwner on every request). @default not checked */
  readonly expectedOwner?: string;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  // HeadObject has no body, so a missing key surfaces as NotFound (sometimes without a Code) or a bare 404.
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

export async function objectExists(s3: S3Client, bucket: string, key: string, expectedOwner?: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ExpectedBucketOwner: expectedOwner }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw new PackageError(describeAwsError(`checking s3://${bucket}/${key}`, error), 1, { cause: error });
  }
}

export async function uploadAll(s3: S3Client, bucket: string, items: readonly UploadItem[], options: UploadOptions = {}): Promise<UploadResult> {
  const limit = pLimit(options.concurrency ?? 8);
  const uploaded: string[] = [];
  const skipped: string[] = [];
  const unique = [...new Map(items.map((i) => [i.key, i])).values()];
  await Promise.all(
    unique.map((item) =>
      limit(async () => {
        if (await objectExists(s3, bucket, item.key, options.expectedOwner)) {
          skipped.push(item.key);
          return;
        }
        try {
          await s3.send(
            new PutObjectCommand({ Bucket: bucket, Key: item.key, Body: item.body, ContentType: item.contentType, ExpectedBucketOwner: options.expectedOwner }),
          );
        } catch (error) {
          throw new PackageError(describeAwsError(`uploading s3://${bucket}/${item.key}`, error), 1, { cause: error });
        }
        uploaded.push(item.key);
      }),
    ),
  );
  return { uploaded: uploaded.sort(), skipped: skipped.sort() };
}
