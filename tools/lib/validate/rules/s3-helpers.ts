/** Questions several S3 rules ask about a bucket. */
import { dig, isRecord, type Json } from '../model';
import { propertiesOf, refersTo, statementsOf, type RuleContext } from './rule';

/** Bucket policies (`AWS::S3::BucketPolicy`) of this template whose `Bucket` is the given bucket. */
export function bucketPoliciesOf(bucketId: string, ctx: RuleContext): Json[] {
  return [...ctx.resources.values()].filter((r) => r.Type === 'AWS::S3::BucketPolicy' && refersTo(propertiesOf(r).Bucket, bucketId));
}

/**
 * True when the bucket receives S3 server access logs: another bucket's `LoggingConfiguration`
 * names it, or its policy lets `logging.s3.amazonaws.com` write. Such targets cannot use SSE-KMS.
 */
export function isAccessLogTarget(bucketId: string, ctx: RuleContext): boolean {
  for (const [id, r] of ctx.resources) {
    if (id !== bucketId && r.Type === 'AWS::S3::Bucket' && refersTo(dig(propertiesOf(r), 'LoggingConfiguration', 'DestinationBucketName'), bucketId))
      return true;
  }
  return bucketPoliciesOf(bucketId, ctx).some((p) =>
    statementsOf(propertiesOf(p).PolicyDocument).some(
      (s) => s.Effect === 'Allow' && isRecord(s.Principal) && JSON.stringify(s.Principal.Service ?? '').includes('logging.s3.amazonaws.com'),
    ),
  );
}
