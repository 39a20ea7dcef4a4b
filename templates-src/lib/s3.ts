import Bucket, { type ReplicationConfiguration, type Rule } from 'cloudform-types/types/s3/bucket';
import BucketPolicy from 'cloudform-types/types/s3/bucketPolicy';
import { getAtt, ifThen, NO_VALUE, ref, sub, type Value } from './fn';
import { tags } from './names';
import { policyDocument, type Statement } from './policy';
import { retained } from './resources';
import type { Fragment } from './template';

/** How a bucket is encrypted at rest. */
export type BucketEncryption =
  /** SSE-KMS with our CMK and an S3 bucket key (fewer KMS calls). */
  | { readonly kmsKeyArn: Value<string> }
  /** SSE-S3, only with the reason KMS cannot be used (server access log targets do not support SSE-KMS). */
  | { readonly sseS3Because: string };

export interface LifecycleProps {
  /** Days before current versions move to STANDARD_IA. @default 30 */
  readonly infrequentAccessAfterDays?: number;
  /** Days before current versions move to `archiveStorageClass`. @default 90 */
  readonly glacierAfterDays?: number;
  /**
   * The archive tier. `GLACIER` (Flexible Retrieval) objects are skipped by Athena unless restored
   * first, so a zone Athena or QuickSight reads archives to `GLACIER_IR` (Instant Retrieval: same
   * milliseconds access as STANDARD_IA, which Athena reads). @default GLACIER
   */
  readonly archiveStorageClass?: 'GLACIER' | 'GLACIER_IR';
  /** Days before current versions expire. @default never */
  readonly expireAfterDays?: number;
  /** Days before noncurrent versions expire. @default 30 */
  readonly noncurrentExpireAfterDays?: number;
  /** Days before incomplete multipart uploads are aborted. @default 7 */
  readonly abortMultipartAfterDays?: number;
}

export interface EncryptedBucketProps {
  readonly bucketName: Value<string>;
  readonly encryption: BucketEncryption;
  /** Server access logs target (bucket name and prefix); `false` only with `noAccessLogsBecause`. */
  readonly accessLogs: { readonly bucket: Value<string>; readonly prefix: string } | false;
  /** Required when `accessLogs` is false: why this bucket has no access logs. */
  readonly noAccessLogsBecause?: string;
  /** Lifecycle rules. @default the defaults of LifecycleProps */
  readonly lifecycle?: LifecycleProps;
  /** Object versioning. @default true */
  readonly versioned?: boolean;
  /** Cross-region replication configuration (requires versioning). @default none */
  readonly replication?: ReplicationConfiguration;
  /** Condition under which `replication` applies (`!If [cond, config, !Ref AWS::NoValue]`). @default always */
  readonly replicationCondition?: string;
  /** Extra bucket-policy statements (service principals writing logs, replication). */
  readonly policyStatements?: readonly Statement[];
  /** Object ownership: `BucketOwnerPreferred` for log targets written by services. @default BucketOwnerEnforced */
  readonly objectOwnership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred';
  /** EventBridge notifications for object events. @default false */
  readonly eventBridge?: boolean;
}

/** The lifecycle rule of DESIGN §3: IA, then an archive tier, noncurrent expiry, multipart abort. */
export function lifecycleRules(props: LifecycleProps = {}): Rule[] {
  const ia = props.infrequentAccessAfterDays ?? 30;
  const glacier = props.glacierAfterDays ?? 90;
  if (glacier <= ia) throw new Error(`lifecycle: glacierAfterDays (${glacier}) must be greater than infrequentAccessAfterDays (${ia})`);
  return [
    {
      Id: 'tiering-and-expiry',
      Status: 'Enabled',
      Transitions: [
        { StorageClass: 'STANDARD_IA', TransitionInDays: ia },
        { StorageClass: props.archiveStorageClass ?? 'GLACIER', TransitionInDays: glacier },
      ],
      ...(props.expireAfterDays !== undefined ? { ExpirationInDays: props.expireAfterDays } : {}),
      NoncurrentVersionExpiration: { NoncurrentDays: props.noncurrentExpireAfterDays ?? 30 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: props.abortMultipartAfterDays ?? 7 },
    },
  ];
}

/** The replication configuration, wrapped in `!If` when it depends on a condition (cloudform types the property as the object only). */
function replicationWhen(config: ReplicationConfiguration, condition: string | undefined): ReplicationConfiguration {
  return condition ? (ifThen(condition, config, NO_VALUE) as unknown as ReplicationConfiguration) : config;
}

/** Deny statement for any request not made over TLS. */
export function tlsOnly(bucketId: string): Statement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [getAtt(bucketId, 'Arn'), sub(`\${${bucketId}.Arn}/*`)],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * A bucket that is private, versioned, encrypted, TLS-only, access-logged and lifecycled by
 * default, plus its bucket policy (`<id>Policy`). Retained on delete and replacement (not after
 * a failed first create: see `retained()`).
 */
export function encryptedBucket(id: string, props: EncryptedBucketProps): Fragment {
  if (props.accessLogs === false && !props.noAccessLogsBecause) {
    throw new Error(`encryptedBucket(${id}): accessLogs is false; say why in noAccessLogsBecause`);
  }
  if (props.replication && props.versioned === false) {
    throw new Error(`encryptedBucket(${id}): replication needs versioning; remove versioned: false or the replication`);
  }
  const encryption =
    'kmsKeyArn' in props.encryption
      ? { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: props.encryption.kmsKeyArn }, BucketKeyEnabled: true }
      : { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } };
  const bucket = new Bucket({
    BucketName: props.bucketName,
    BucketEncryption: { ServerSideEncryptionConfiguration: [encryption] },
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    OwnershipControls: { Rules: [{ ObjectOwnership: props.objectOwnership ?? 'BucketOwnerEnforced' }] },
    ...(props.versioned === false ? {} : { VersioningConfiguration: { Status: 'Enabled' } }),
    LifecycleConfiguration: { Rules: lifecycleRules(props.lifecycle) },
    ...(props.accessLogs ? { LoggingConfiguration: { DestinationBucketName: props.accessLogs.bucket, LogFilePrefix: props.accessLogs.prefix } } : {}),
    ...(props.replication ? { ReplicationConfiguration: replicationWhen(props.replication, props.replicationCondition) } : {}),
    ...(props.eventBridge ? { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } } : {}),
    Tags: tags(),
  });
  const policy = new BucketPolicy({
    Bucket: ref(id),
    PolicyDocument: policyDocument(tlsOnly(id), ...(props.policyStatements ?? [])),
  });
  return { [id]: retained(bucket), [`${id}Policy`]: policy };
}

export interface AccessLogsBucketProps {
  readonly bucketName: Value<string>;
  /** `aws:SourceArn` patterns of the buckets that log here (S3 checks them on every delivery). */
  readonly sourceBucketArns: readonly Value<string>[];
  /** Why this bucket exists here (one line, for the policy statement's reader). */
  readonly purpose: string;
  /** Days before log objects expire. @default 365 */
  readonly expireAfterDays?: number;
}

/**
 * A server access log target: SSE-S3 (S3 server access log delivery does not support SSE-KMS
 * target buckets), not logged itself (every delivery would log a delivery), and a bucket policy
 * letting `logging.s3.amazonaws.com` write only for the given source buckets of this account.
 */
export function accessLogsBucket(id: string, props: AccessLogsBucketProps): Fragment {
  const delivery: Statement = {
    Sid: 'AllowServerAccessLogDelivery',
    Effect: 'Allow',
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: sub(`\${${id}.Arn}/*`),
    Condition: {
      ArnLike: { 'aws:SourceArn': props.sourceBucketArns.length === 1 ? props.sourceBucketArns[0] : [...props.sourceBucketArns] },
      StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
    },
  };
  return encryptedBucket(id, {
    bucketName: props.bucketName,
    encryption: { sseS3Because: 'S3 server access log delivery does not support SSE-KMS target buckets' },
    accessLogs: false,
    noAccessLogsBecause: `it is the access-log target (${props.purpose}); logging it into itself would loop`,
    lifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 90, expireAfterDays: props.expireAfterDays ?? 365 },
    policyStatements: [delivery],
  });
}
