/**
 * Finds the artifacts bucket, `--bucket` or the `ArtifactsBucketName` output of the bootstrap
 * stack in the target region, and proves it is there and ours: HeadBucket with
 * `ExpectedBucketOwner` set to the caller's account, so a bucket of another account fails
 * (403) instead of receiving our artifacts.
 *
 * What the bootstrap stack looks like → what the message says:
 *
 * | bootstrap stack                         | message names                                   | fix                                  |
 * |-----------------------------------------|-------------------------------------------------|--------------------------------------|
 * | absent                                  | the stack and region                            | `npm run bootstrap -- --region r`    |
 * | REVIEW_IN_PROGRESS (never executed)     | "was never created"                             | `npm run bootstrap -- --region r`    |
 * | *_IN_PROGRESS                           | the operation                                   | wait, then retry                     |
 * | ROLLBACK_COMPLETE / *_FAILED            | the status                                      | `npm run bootstrap -- --region r --recreate` |
 * | *_COMPLETE without the output           | the status and the missing output               | `npm run bootstrap -- --region r --recreate` |
 */
import { DescribeStacksCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { BOOTSTRAP_OUTPUTS } from '../../../templates-src/bootstrap';
import { describeAwsError, PackageError } from '../deploy/errors';

/** Default bootstrap stack name. */
export const DEFAULT_BOOTSTRAP_STACK = 'stockwx-bootstrap';

/** The command that (re)deploys the bootstrap stack of a region. */
export function bootstrapCommand(region: string, bootstrapStack: string, extra = ''): string {
  return `npm run bootstrap -- --region ${region}${bootstrapStack === DEFAULT_BOOTSTRAP_STACK ? '' : ` --stack-name ${bootstrapStack}`}${extra}`;
}

export async function findArtifactsBucket(cfn: CloudFormationClient, bootstrapStack: string, region: string): Promise<string> {
  let stack: Stack | undefined;
  try {
    stack = (await cfn.send(new DescribeStacksCommand({ StackName: bootstrapStack }))).Stacks?.[0];
  } catch (error) {
    if (!/does not exist/.test((error as Error).message ?? '')) {
      throw new PackageError(describeAwsError(`reading bootstrap stack ${bootstrapStack} in ${region}`, error), 1, { cause: error });
    }
  }
  const status = stack?.StackStatus ?? '';
  const name = `bootstrap stack ${bootstrapStack} in ${region}`;
  if (!stack || status === 'DELETE_COMPLETE')
    throw new PackageError(`${name} does not exist; run ${bootstrapCommand(region, bootstrapStack)} (or pass --bucket)`);
  if (status === 'REVIEW_IN_PROGRESS')
    throw new PackageError(`${name} was never created (REVIEW_IN_PROGRESS: its change set was not executed); run ${bootstrapCommand(region, bootstrapStack)}`);
  if (status.endsWith('_IN_PROGRESS')) throw new PackageError(`${name} is ${status}; wait for it to finish, then retry`);
  const bucket = stack.Outputs?.find((o) => o.OutputKey === BOOTSTRAP_OUTPUTS.bucketName)?.OutputValue;
  if (status === 'ROLLBACK_COMPLETE' || status.endsWith('_FAILED') || !bucket) {
    const what = bucket ? `is ${status}` : `is ${status} without the ${BOOTSTRAP_OUTPUTS.bucketName} output its template declares`;
    throw new PackageError(
      `${name} ${what}; repair it with ${bootstrapCommand(region, bootstrapStack, ' --recreate')} (deletes the stack and creates it again; a retained bucket is kept), or pass --bucket`,
    );
  }
  return bucket;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** HeadBucket as the owner `account`: resolves when the bucket exists and belongs to it, else a PackageError with the fix. */
export async function checkBucket(s3: S3Client, bucket: string, account: string, region: string, fromFlag: boolean): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
  } catch (error) {
    const status = httpStatus(error);
    const source = fromFlag ? `--bucket ${bucket}` : `artifacts bucket ${bucket}`;
    if (status === 404 || (error as { name?: string }).name === 'NotFound' || (error as { name?: string }).name === 'NoSuchBucket') {
      throw new PackageError(
        `${source} does not exist in ${region}${fromFlag ? '; check the name or drop --bucket to use the bootstrap stack' : `; repair the bootstrap stack with npm run bootstrap -- --region ${region} --recreate`}`,
        1,
        { cause: error },
      );
    }
    if (status === 403) {
      throw new PackageError(
        `${source} does not belong to account ${account} (or we may not read it): HeadBucket with ExpectedBucketOwner=${account} was refused; nothing was uploaded`,
        1,
        { cause: error },
      );
    }
    throw new PackageError(describeAwsError(`checking ${source}`, error), 1, { cause: error });
  }
}
