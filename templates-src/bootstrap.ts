/**
 * The bootstrap stack (`npm run bootstrap`): one per account and region, deployed on its own
 * before anything else. It holds the artifacts bucket the packager uploads handler zips and
 * nested templates to (content-addressed keys), encrypted with its own key.
 *
 * Lifecycle: old artifacts may expire because the packager HEADs every artifact on every run and
 * re-uploads what is missing; nothing ever moves to Glacier, because CloudFormation and Lambda
 * must be able to read any artifact immediately.
 */
import type Bucket from 'cloudform-types/types/s3/bucket';
import { getAtt, ref, sub } from './lib/fn';
import { cmk } from './lib/kms';
import { ENVIRONMENT, NAME_PREFIX } from './lib/names';
import { accessLogsBucket, encryptedBucket } from './lib/s3';
import type { StackDefinition } from './lib/stack';
import { StackTemplate, type TemplateDocument } from './lib/template';

export const BOOTSTRAP_IDS = {
  key: 'ArtifactsKey',
  bucket: 'ArtifactsBucket',
  accessLogs: 'ArtifactsAccessLogsBucket',
} as const;

/** Output names the packager and deploy read (tools/lib/package/bucket.ts). */
export const BOOTSTRAP_OUTPUTS = {
  bucketName: 'ArtifactsBucketName',
  keyArn: 'ArtifactsKmsKeyArn',
} as const;

/** Days an artifact version stays after it stops being current, and after it was written. */
const NONCURRENT_DAYS = 30;
const EXPIRE_DAYS = 365;

export function build(): TemplateDocument {
  const t = new StackTemplate('bootstrap', 'Artifacts bucket and key for packaged templates and Lambda bundles (one per account and region)');
  // The shared builders tag with NamePrefix/Environment; here they have defaults because the
  // bootstrap stack is deployed on its own, without root to set them.
  t.parameter(NAME_PREFIX, {
    Type: 'String',
    Description: 'Prefix of the bucket name and key alias',
    Default: 'stockwx',
    AllowedPattern: '^[a-z][a-z0-9-]{2,30}$',
  });
  t.parameter(ENVIRONMENT, {
    Type: 'String',
    Description: 'Tag value only: the bootstrap stack serves every environment in the account',
    Default: 'prod',
    AllowedValues: ['dev', 'prod'],
  });

  t.add(cmk(BOOTSTRAP_IDS.key, { description: 'Encrypts packaged templates and Lambda bundles in the artifacts bucket', alias: 'artifacts' }));
  // Who read which artifact (templates, function code) is worth keeping: the packager and
  // CloudFormation are not the only principals the bucket policy could one day admit.
  t.add(
    accessLogsBucket(BOOTSTRAP_IDS.accessLogs, {
      bucketName: sub('${NamePrefix}-artifacts-logs-${AWS::AccountId}-${AWS::Region}'),
      sourceBucketArns: [sub('arn:${AWS::Partition}:s3:::${NamePrefix}-artifacts-${AWS::AccountId}-${AWS::Region}')],
      purpose: 'the artifacts bucket',
    }),
  );
  const bucket = encryptedBucket(BOOTSTRAP_IDS.bucket, {
    bucketName: sub('${NamePrefix}-artifacts-${AWS::AccountId}-${AWS::Region}'),
    encryption: { kmsKeyArn: getAtt(BOOTSTRAP_IDS.key, 'Arn') },
    accessLogs: { bucket: ref(BOOTSTRAP_IDS.accessLogs), prefix: 'artifacts/' },
  });
  // Replace the shared tiering rule: artifacts must stay readable at once (no Glacier).
  (bucket[BOOTSTRAP_IDS.bucket] as Bucket).Properties.LifecycleConfiguration = {
    Rules: [
      {
        Id: 'expire-old-artifacts',
        Status: 'Enabled',
        ExpirationInDays: EXPIRE_DAYS,
        NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_DAYS },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ],
  };
  t.add(bucket);
  t.implements('11.1', BOOTSTRAP_IDS.bucket, BOOTSTRAP_IDS.key, BOOTSTRAP_IDS.accessLogs);

  t.output(BOOTSTRAP_OUTPUTS.bucketName, { value: ref(BOOTSTRAP_IDS.bucket), description: 'Bucket the packager uploads to' });
  t.output(BOOTSTRAP_OUTPUTS.keyArn, { value: getAtt(BOOTSTRAP_IDS.key, 'Arn'), description: 'KMS key encrypting the artifacts' });
  return t.toDocument();
}

export const bootstrap: StackDefinition = {
  id: 'Bootstrap',
  file: 'bootstrap.yaml',
  source: 'templates-src/bootstrap.ts',
  steps: [11],
  inputs: {},
  outputs: Object.values(BOOTSTRAP_OUTPUTS),
  build,
};
