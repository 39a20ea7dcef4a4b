/**
 * Finds the artifacts bucket: `--bucket`, else the `ArtifactsBucketName` output of the bootstrap
 * stack in the target region.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { BOOTSTRAP_OUTPUTS } from '../../../templates-src/bootstrap';
import { describeAwsError, PackageError } from '../deploy/errors';

/** Default bootstrap stack name. */
export const DEFAULT_BOOTSTRAP_STACK = 'stockwx-bootstrap';

export async function findArtifactsBucket(cfn: CloudFormationClient, bootstrapStack: string, region: string): Promise<string> {
  let outputs;
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: bootstrapStack }));
    outputs = res.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if (/does not exist/.test((error as Error).message ?? '')) {
      throw new PackageError(`bootstrap stack ${bootstrapStack} does not exist in ${region}; run npm run bootstrap -- --region ${region} (or pass --bucket)`);
    }
    throw new PackageError(describeAwsError(`reading bootstrap stack ${bootstrapStack} in ${region}`, error), 1, { cause: error });
  }
  const bucket = outputs.find((o) => o.OutputKey === BOOTSTRAP_OUTPUTS.bucketName)?.OutputValue;
  if (!bucket) throw new PackageError(`bootstrap stack ${bootstrapStack} in ${region} has no ${BOOTSTRAP_OUTPUTS.bucketName} output; re-run npm run bootstrap`);
  return bucket;
}
