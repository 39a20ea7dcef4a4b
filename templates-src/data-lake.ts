/**
 * data-lake.yaml (roadmap step 2, and step 10's S3 cross-region replication): the raw zone
 * (gzip NDJSON as received), the processed zone (Parquet partitions), both versioned, SSE-KMS with
 * the DataLake CMK and bucket keys, private, TLS-only, access-logged and lifecycled, replicated to
 * the secondary region when the replica key is known; and the access-logs bucket.
 */
import type Bucket from 'cloudform-types/types/s3/bucket';
import { COMMON_INPUTS, IS_PROD, newStackTemplate, SECONDARY_REGION_INPUT } from './lib/common';
import { equals, getAtt, ifThen, not, ref, sub } from './lib/fn';
import { bucketName, NAMES, nameText } from './lib/names';
import type { Statement } from './lib/policy';
import { replicaBucketArn, replicationConfiguration, replicationRole } from './lib/replication';
import { when } from './lib/resources';
import { encryptedBucket } from './lib/s3';
import type { StackDefinition } from './lib/stack';

/** `format` becomes the DataFormat tag (S3 tag values allow only letters, digits, spaces and + - = . _ : /). */
const DATA_BUCKETS = [
  { id: 'RawBucket', purpose: NAMES.buckets.raw, logPrefix: 'raw-bucket/', eventBridge: false, format: 'gzip NDJSON raw/dataset/dt=YYYY-MM-DD/' },
  // EventBridge notifications on new Parquet objects: lets a crawler or QuickSight refresh react
  // to data instead of a clock.
  { id: 'ProcessedBucket', purpose: NAMES.buckets.processed, logPrefix: 'processed-bucket/', eventBridge: true, format: 'Parquet processed/dataset/year=/month=/day=/' },
] as const;

/**
 * S3 server access logging writes as the logging service principal, only for buckets of this
 * account named with our prefix (the lake buckets here, the Athena results bucket of analytics.yaml).
 */
function logDeliveryStatement(): Statement {
  return {
    Sid: 'AllowServerAccessLogDelivery',
    Effect: 'Allow',
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: sub('${AccessLogsBucket.Arn}/*'),
    Condition: {
      ArnLike: { 'aws:SourceArn': sub(`arn:\${AWS::Partition}:s3:::${nameText('*')}`) },
      StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
    },
  };
}

export const dataLake: StackDefinition = {
  id: 'DataLake',
  file: 'data-lake.yaml',
  source: 'templates-src/data-lake.ts',
  steps: [2, 10],
  inputs: {
    ...COMMON_INPUTS,
    DataLakeKeyArn: { output: ['Security', 'DataLakeKeyArn'] },
    ReplicaKmsKeyArn: { parameter: 'ReplicaKmsKeyArn' },
    SecondaryRegion: SECONDARY_REGION_INPUT,
  },
  outputs: ['RawBucketName', 'RawBucketArn', 'ProcessedBucketName', 'ProcessedBucketArn', 'AccessLogsBucketName', 'ReplicationRoleArn'],
  build() {
    const t = newStackTemplate('data-lake', 'Raw and processed data-lake buckets with KMS, lifecycle, access logs and cross-region replication (roadmap steps 2 and 10)');
    t.parameter('DataLakeKeyArn', { Type: 'String', Description: 'CMK of the data lake buckets (Security stack)' });
    t.parameter('ReplicaKmsKeyArn', { Type: 'String', Description: 'KMS key of the replica buckets in the secondary region (secondary stack output); empty disables replication', Default: '' });
    t.parameter('SecondaryRegion', { Type: 'String', Description: 'Region of the replica buckets' });
    t.condition('HasReplica', not(equals(ref('ReplicaKmsKeyArn'), '')));

    // Server access logs only support SSE-S3 on the target bucket, hence no KMS here; a log bucket
    // does not log itself (every delivery would log a delivery).
    t.add(encryptedBucket('AccessLogsBucket', {
      bucketName: bucketName(NAMES.buckets.accessLogs),
      encryption: { sseS3Because: 'S3 server access log delivery does not support SSE-KMS target buckets' },
      accessLogs: false,
      noAccessLogsBecause: 'it is the access-log target; logging it into itself would loop',
      lifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 90, expireAfterDays: 365 },
      policyStatements: [logDeliveryStatement()],
    }));

    for (const b of DATA_BUCKETS) {
      const fragment = encryptedBucket(b.id, {
        bucketName: bucketName(b.purpose),
        encryption: { kmsKeyArn: ref('DataLakeKeyArn') },
        accessLogs: { bucket: ref('AccessLogsBucket'), prefix: b.logPrefix },
        lifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 90, abortMultipartAfterDays: 7 },
        replication: replicationConfiguration(b.purpose, getAtt('ReplicationRole', 'Arn'), ref('ReplicaKmsKeyArn')),
        replicationCondition: 'HasReplica',
        eventBridge: b.eventBridge,
      });
      // Old versions are the recovery window for a bad write or delete: 90 days in prod, 30 in dev.
      const bucket = fragment[b.id] as Bucket;
      const existing = bucket.Properties.Tags;
      bucket.Properties.Tags = [...(Array.isArray(existing) ? existing : []), { Key: 'DataZone', Value: b.purpose }, { Key: 'DataFormat', Value: b.format }];
      const rules = bucket.Properties.LifecycleConfiguration?.Rules;
      if (Array.isArray(rules) && rules[0]) rules[0].NoncurrentVersionExpiration = { NoncurrentDays: ifThen(IS_PROD, 90, 30) };
      t.add(fragment);
    }
    t.resource('ReplicationRole', when('HasReplica', replicationRole({
      buckets: DATA_BUCKETS.map((b) => ({ purpose: b.purpose })),
      sourceKeyArn: ref('DataLakeKeyArn'),
      replicaKeyArn: ref('ReplicaKmsKeyArn'),
    })));

    t.implements('2.1', 'RawBucket', 'RawBucketPolicy');
    t.implements('2.2', 'ProcessedBucket', 'ProcessedBucketPolicy');
    t.implements('2.3', 'RawBucket', 'ProcessedBucket', 'AccessLogsBucket');
    t.implements('2.4', 'RawBucket', 'ProcessedBucket', 'AccessLogsBucket');
    t.implements('2.5', 'RawBucket', 'ProcessedBucket', 'ReplicationRole');
    t.implements('10.1', 'RawBucket', 'ProcessedBucket', 'ReplicationRole');

    t.output('RawBucketName', { description: 'Raw zone bucket (gzip NDJSON)', value: ref('RawBucket') });
    t.output('RawBucketArn', { description: 'Raw zone bucket ARN', value: getAtt('RawBucket', 'Arn') });
    t.output('ProcessedBucketName', { description: 'Processed zone bucket (Parquet)', value: ref('ProcessedBucket') });
    t.output('ProcessedBucketArn', { description: 'Processed zone bucket ARN', value: getAtt('ProcessedBucket', 'Arn') });
    t.output('AccessLogsBucketName', { description: 'Server access log target for the lake buckets (and later stacks)', value: ref('AccessLogsBucket') });
    t.output('ReplicationRoleArn', { description: 'S3 replication role (empty without a replica key)', value: ifThen('HasReplica', getAtt('ReplicationRole', 'Arn'), '') });
    t.output('RawReplicaBucketArn', { description: 'Replica of the raw bucket in the secondary region (created by the secondary stack)', value: replicaBucketArn(NAMES.buckets.raw) });
    t.output('ProcessedReplicaBucketArn', { description: 'Replica of the processed bucket in the secondary region', value: replicaBucketArn(NAMES.buckets.processed) });
    return t.toDocument();
  },
};
