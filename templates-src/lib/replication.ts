/**
 * S3 cross-region replication of KMS-encrypted buckets: the replication configuration (V2 schema:
 * filter + priority, delete markers replicated, SSE-KMS objects selected and re-encrypted with the
 * replica key) and the least-privilege role S3 assumes to replicate.
 */
import type { ReplicationConfiguration } from 'cloudform-types/types/s3/bucket';
import type Role from 'cloudform-types/types/iam/role';
import { sub, type Value } from './fn';
import { bucketNameText } from './names';
import { allow, role } from './policy';

export interface ReplicatedBucket {
  /** Bucket purpose; the replica is `${NamePrefix}-<purpose>-${AWS::AccountId}-<SecondaryRegion>`. */
  readonly purpose: string;
}

/** `arn:…:s3:::<replica bucket>` in the secondary region (`secondaryRegionVar` names the parameter). */
export function replicaBucketArn(purpose: string, secondaryRegionVar = 'SecondaryRegion'): Value<string> {
  return sub(`arn:\${AWS::Partition}:s3:::${bucketNameText(purpose, `\${${secondaryRegionVar}}`)}`);
}

/** One rule replicating every object version, delete markers included, re-encrypted with the replica key. */
export function replicationConfiguration(purpose: string, roleArn: Value<string>, replicaKmsKeyArn: Value<string>): ReplicationConfiguration {
  return {
    Role: roleArn,
    Rules: [
      {
        Id: `replicate-${purpose}`,
        Status: 'Enabled',
        Priority: 1,
        Filter: { Prefix: '' },
        DeleteMarkerReplication: { Status: 'Enabled' },
        SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
        Destination: {
          Bucket: replicaBucketArn(purpose),
          EncryptionConfiguration: { ReplicaKmsKeyID: replicaKmsKeyArn },
        },
      },
    ],
  } as ReplicationConfiguration;
}

export interface ReplicationRoleProps {
  readonly buckets: readonly ReplicatedBucket[];
  /** Source CMK (decrypt, through S3 in this region only). */
  readonly sourceKeyArn: Value<string>;
  /** Replica CMK in the secondary region (encrypt, through S3 there only). */
  readonly replicaKeyArn: Value<string>;
}

/**
 * The role S3 assumes to replicate: read the configuration and object versions of the source
 * buckets, replicate into the replica buckets, decrypt with the source key and encrypt with the
 * replica key — each KMS grant limited to S3 in its region and to these buckets' encryption
 * context (the bucket ARN with S3 Bucket Keys, the object ARN without).
 */
export function replicationRole(props: ReplicationRoleProps): Role {
  // Source ARNs by name, not !GetAtt: the buckets name this role in their replication
  // configuration, so a reference back would be a circular dependency.
  const source = props.buckets.map((b) => sub(`arn:\${AWS::Partition}:s3:::${bucketNameText(b.purpose)}`));
  const sourceObjects = props.buckets.map((b) => sub(`arn:\${AWS::Partition}:s3:::${bucketNameText(b.purpose)}/*`));
  const replicaObjects = props.buckets.map((b) => sub(`arn:\${AWS::Partition}:s3:::${bucketNameText(b.purpose, '${SecondaryRegion}')}/*`));
  const replicaContext = props.buckets.flatMap((b) => {
    const bucket = `arn:\${AWS::Partition}:s3:::${bucketNameText(b.purpose, '${SecondaryRegion}')}`;
    return [sub(bucket), sub(`${bucket}/*`)];
  });
  return role({
    description: 'S3 cross-region replication of the raw and processed buckets to the secondary region',
    services: ['s3.amazonaws.com'],
    statements: [
      allow(['s3:GetReplicationConfiguration', 's3:ListBucket'], source),
      allow(['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'], sourceObjects),
      allow(['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], replicaObjects),
      allow(['kms:Decrypt'], [props.sourceKeyArn], {
        StringEquals: { 'kms:ViaService': sub('s3.${AWS::Region}.amazonaws.com') },
        ArnLike: { 'kms:EncryptionContext:aws:s3:arn': [...source, ...sourceObjects] },
      }),
      allow(['kms:Encrypt'], [props.replicaKeyArn], {
        StringEquals: { 'kms:ViaService': sub('s3.${SecondaryRegion}.amazonaws.com') },
        ArnLike: { 'kms:EncryptionContext:aws:s3:arn': replicaContext },
      }),
    ],
  });
}
