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
import { replicaBucketArn, replicationConfiguration, replicationRole } from './lib/replication';
import { when } from './lib/resources';
import { accessLogsBucket, encryptedBucket } from './lib/s3';
import type { StackDefinition } from './lib/stack';

/**
 * `format` becomes the DataFormat tag (S3 tag values allow only letters, digits, spaces and + - = . _ : /).
 * `archive`: the processed zone is what Athena and QuickSight read, and Athena skips S3 Glacier
 * Flexible Retrieval objects (unless restored first), so it archives to Glacier Instant Retrieval,
 * which Athena reads like STANDARD_IA; the raw zone is never queried and archives to GLACIER.
 */
const DATA_BUCKETS = [
  {
    id: 'RawBucket',
    purpose: NAMES.buckets.raw,
    logPrefix: 'raw-bucket/',
    eventBridge: false,
    archive: 'GLACIER',
    format: 'gzip NDJSON raw/dataset/dt=YYYY-MM-DD/',
  },
  // EventBridge notifications on new Parquet objects: lets a crawler or QuickSight refresh react
  // to data instead of a clock.
  {
    id: 'ProcessedBucket',
    purpose: NAMES.buckets.processed,
    logPrefix: 'processed-bucket/',
    eventBridge: true,
    archive: 'GLACIER_IR',
    format: 'Parquet processed/dataset/year=/month=/day=/',
  },
] as const;

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
    const t = newStackTemplate(
      'data-lake',
      'Raw and processed data-lake buckets with KMS, lifecycle, access logs and cross-region replication (roadmap steps 2 and 10)',
    );
    t.parameter('DataLakeKeyArn', { Type: 'String', Description: 'CMK of the data lake buckets (Security stack)' });
    t.parameter('ReplicaKmsKeyArn', {
      Type: 'String',
      Description: 'KMS key of the replica buckets in the secondary region (secondary stack output); empty disables replication',
      Default: '',
    });
    t.parameter('SecondaryRegion', { Type: 'String', Description: 'Region of the replica buckets' });
    t.condition('HasReplica', not(equals(ref('ReplicaKmsKeyArn'), '')));

    // The lake buckets here and the Athena results bucket of analytics.yaml: every bucket of this
    // account named with our prefix may deliver its server access logs here.
    t.add(
      accessLogsBucket('AccessLogsBucket', {
        bucketName: bucketName(NAMES.buckets.accessLogs),
        sourceBucketArns: [sub(`arn:\${AWS::Partition}:s3:::${nameText('*')}`)],
        purpose: 'the lake and Athena results buckets',
      }),
    );

    for (const b of DATA_BUCKETS) {
      const fragment = encryptedBucket(b.id, {
        bucketName: bucketName(b.purpose),
        encryption: { kmsKeyArn: ref('DataLakeKeyArn') },
        accessLogs: { bucket: ref('AccessLogsBucket'), prefix: b.logPrefix },
        lifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 90, archiveStorageClass: b.archive, abortMultipartAfterDays: 7 },
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
    t.resource(
      'ReplicationRole',
      when(
        'HasReplica',
        replicationRole({
          buckets: DATA_BUCKETS.map((b) => ({ purpose: b.purpose })),
          sourceKeyArn: ref('DataLakeKeyArn'),
          replicaKeyArn: ref('ReplicaKmsKeyArn'),
        }),
      ),
    );

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
    t.output('ReplicationRoleArn', {
      description: 'S3 replication role (empty without a replica key)',
      value: ifThen('HasReplica', getAtt('ReplicationRole', 'Arn'), ''),
    });
    t.output('RawReplicaBucketArn', {
      description: 'Replica of the raw bucket in the secondary region (created by the secondary stack)',
      value: replicaBucketArn(NAMES.buckets.raw),
    });
    t.output('ProcessedReplicaBucketArn', {
      description: 'Replica of the processed bucket in the secondary region',
      value: replicaBucketArn(NAMES.buckets.processed),
    });
    return t.toDocument();
  },
};
