/**
 * Audit and compliance: a multi-region CloudTrail trail and the AWS Config recorder, delivery
 * channel and managed rules. Both deliver into their own KMS-encrypted, TLS-only buckets, whose
 * server access logs go to an audit access-log bucket of this stack.
 *
 * The trail, the recorder and the delivery channel are account-level (one multi-region trail per
 * account is enough; one recorder and one channel per account and region), so each exists only
 * under its condition. Their buckets and log group exist either way: they are named and retained,
 * and a toggle turned off and on again must not collide with the bucket the first run kept.
 */
import WaitConditionHandle from 'cloudform-types/types/cloudFormation/waitConditionHandle';
import Trail from 'cloudform-types/types/cloudTrail/trail';
import ConfigRule from 'cloudform-types/types/config/configRule';
import ConfigurationRecorder from 'cloudform-types/types/config/configurationRecorder';
import DeliveryChannel from 'cloudform-types/types/config/deliveryChannel';
import { getAtt, ifThen, join, ref, sub, type Value } from './fn';
import { bucketName, NAMES, nameText, physicalName, tags } from './names';
import { longerInProd } from './log-retention';
import { logGroup } from './observability';
import { allow, role, type Statement } from './policy';
import { dependsOn, when } from './resources';
import { encryptedBucket } from './s3';
import type { Fragment } from './template';

function serviceStatement(sid: string, service: string, actions: string[], resource: Value<string>, condition: Record<string, unknown>): Statement {
  return { Sid: sid, Effect: 'Allow', Principal: { Service: service }, Action: actions, Resource: resource, Condition: condition };
}

export interface TrailProps {
  readonly logsKeyArn: Value<string>;
  /** `!Sub` text of the trail name (the key policy names the same trail). */
  readonly trailNameText: string;
  /** Condition under which the trail (and its log-delivery role) exists. */
  readonly trailCondition: string;
  /** Server access-log target of the trail bucket (the audit access-log bucket). */
  readonly accessLogsBucket: Value<string>;
}

/**
 * `Trail` with `TrailBucket` (+ policy), `TrailLogGroup` and `TrailLogsRole`: multi-region,
 * global service events, log-file validation, KMS-encrypted files, CloudWatch Logs delivery.
 * Management events only: S3 data events on the lake would bill every Athena read.
 */
export function auditTrail(props: TrailProps): Fragment {
  const trailArn = sub(`arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/${props.trailNameText}`);
  const sourceIsTrail = { StringEquals: { 'aws:SourceArn': trailArn } };
  return {
    ...encryptedBucket('TrailBucket', {
      bucketName: bucketName(NAMES.buckets.trail),
      encryption: { kmsKeyArn: props.logsKeyArn },
      accessLogs: { bucket: props.accessLogsBucket, prefix: 'cloudtrail-bucket/' },
      lifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 90, expireAfterDays: 2555 },
      policyStatements: [
        serviceStatement('AllowCloudTrailAclCheck', 'cloudtrail.amazonaws.com', ['s3:GetBucketAcl'], getAtt('TrailBucket', 'Arn'), sourceIsTrail),
        serviceStatement('AllowCloudTrailWrite', 'cloudtrail.amazonaws.com', ['s3:PutObject'], sub('${TrailBucket.Arn}/AWSLogs/${AWS::AccountId}/*'), {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn },
        }),
      ],
    }),
    TrailLogGroup: longerInProd(logGroup({ logGroupName: sub(`/aws/cloudtrail/${nameText('trail')}`), kmsKeyArn: props.logsKeyArn })),
    TrailLogsRole: when(
      props.trailCondition,
      role({
        description: 'Lets CloudTrail deliver events to its CloudWatch Logs group',
        services: ['cloudtrail.amazonaws.com'],
        statements: [allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [getAtt('TrailLogGroup', 'Arn')])],
      }),
    ),
    Trail: when(
      props.trailCondition,
      dependsOn(
        new Trail({
          TrailName: sub(props.trailNameText),
          S3BucketName: ref('TrailBucket'),
          IsLogging: true,
          IsMultiRegionTrail: true,
          IncludeGlobalServiceEvents: true,
          EnableLogFileValidation: true,
          KMSKeyId: props.logsKeyArn,
          CloudWatchLogsLogGroupArn: getAtt('TrailLogGroup', 'Arn'),
          CloudWatchLogsRoleArn: getAtt('TrailLogsRole', 'Arn'),
          Tags: tags(),
        }),
        'TrailBucketPolicy',
      ),
    ),
  };
}

/** AWS managed Config rules: identifier, resource types it evaluates (none for periodic rules), parameters. */
interface ManagedRule {
  readonly id: string;
  readonly identifier: string;
  readonly resourceTypes?: readonly string[];
  readonly parameters?: Record<string, unknown>;
}

export interface ConfigProps {
  readonly logsKeyArn: Value<string>;
  /** Keys S3 buckets may use (s3-default-encryption-kms). */
  readonly bucketKeyArns: readonly Value<string>[];
  readonly tablesKeyArn: Value<string>;
  /** Condition under which this stack creates the recorder and delivery channel. */
  readonly recorderCondition: string;
  /**
   * Condition under which the account has a recorder at all (ours, or one that already exists):
   * the rules exist only then, because PutConfigRule fails with
   * NoAvailableConfigurationRecorderException in a region without a recorder.
   */
  readonly rulesCondition: string;
  /** Server access-log target of the Config bucket (the audit access-log bucket). */
  readonly accessLogsBucket: Value<string>;
}

/**
 * The rules of roadmap step 9 ("block public S3, enforce CMKs"). There is no managed rule for
 * SQS encryption (`sqs-queue-encrypted` is Security Hub's own rule behind control SQS.1 of the
 * foundational standard enabled in security.yaml), so SQS is covered there.
 * Expected finding: the access-logs bucket is NON_COMPLIANT with s3-default-encryption-kms by
 * design (server access log delivery only supports SSE-S3 targets).
 */
export const MANAGED_RULES: readonly ManagedRule[] = [
  { id: 'S3PublicReadProhibitedRule', identifier: 'S3_BUCKET_PUBLIC_READ_PROHIBITED', resourceTypes: ['AWS::S3::Bucket'] },
  { id: 'S3PublicWriteProhibitedRule', identifier: 'S3_BUCKET_PUBLIC_WRITE_PROHIBITED', resourceTypes: ['AWS::S3::Bucket'] },
  { id: 'S3ServerSideEncryptionRule', identifier: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED', resourceTypes: ['AWS::S3::Bucket'] },
  { id: 'S3DefaultEncryptionKmsRule', identifier: 'S3_DEFAULT_ENCRYPTION_KMS', resourceTypes: ['AWS::S3::Bucket'] },
  { id: 'S3TlsOnlyRule', identifier: 'S3_BUCKET_SSL_REQUESTS_ONLY', resourceTypes: ['AWS::S3::Bucket'] },
  { id: 'DynamoDbEncryptedKmsRule', identifier: 'DYNAMODB_TABLE_ENCRYPTED_KMS', resourceTypes: ['AWS::DynamoDB::Table'] },
  { id: 'SnsEncryptedKmsRule', identifier: 'SNS_ENCRYPTED_KMS', resourceTypes: ['AWS::SNS::Topic'] },
  { id: 'KinesisEncryptedRule', identifier: 'KINESIS_STREAM_ENCRYPTED', resourceTypes: ['AWS::Kinesis::Stream'] },
  { id: 'LogGroupEncryptedRule', identifier: 'CLOUDWATCH_LOG_GROUP_ENCRYPTED' },
  { id: 'CloudTrailEncryptedRule', identifier: 'CLOUD_TRAIL_ENCRYPTION_ENABLED' },
  { id: 'CmkRotationRule', identifier: 'CMK_BACKING_KEY_ROTATION_ENABLED' },
];

/**
 * `ConfigRecorder` + `ConfigDeliveryChannel` (under `recorderCondition`), their bucket and role,
 * and the managed rules (under `rulesCondition`: ours or the account's recorder must exist).
 *
 * | recorderCondition | rulesCondition | recorder, channel | rules            |
 * | ----------------- | -------------- | ----------------- | ---------------- |
 * | true              | true           | ours              | against ours     |
 * | false             | true           | the account's     | against theirs   |
 * | false             | false          | none              | none             |
 *
 * `ConfigRecorderReady` orders the rules after our recorder when there is one — `DependsOn`
 * cannot name a resource whose condition may be false, a `!If` reference can.
 */
export function configCompliance(props: ConfigProps): Fragment {
  const delivery = sub('${ConfigBucket.Arn}/AWSLogs/${AWS::AccountId}/Config/*');
  const sourceAccount = { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } };
  const rules: Fragment = Object.fromEntries(
    MANAGED_RULES.map((r) => {
      const parameters =
        r.identifier === 'S3_DEFAULT_ENCRYPTION_KMS'
          ? { kmsKeyArns: join(',', [...props.bucketKeyArns]) }
          : r.identifier === 'DYNAMODB_TABLE_ENCRYPTED_KMS'
            ? { kmsKeyArns: props.tablesKeyArn }
            : r.parameters;
      const rule = new ConfigRule({
        ConfigRuleName: physicalName(r.identifier.toLowerCase().replace(/_/g, '-')),
        Source: { Owner: 'AWS', SourceIdentifier: r.identifier },
        ...(r.resourceTypes ? { Scope: { ComplianceResourceTypes: [...r.resourceTypes] } } : { MaximumExecutionFrequency: 'TwentyFour_Hours' }),
        ...(parameters ? { InputParameters: parameters } : {}),
      });
      return [r.id, when(props.rulesCondition, dependsOn(rule, 'ConfigRecorderReady'))];
    }),
  );
  return {
    ...encryptedBucket('ConfigBucket', {
      bucketName: bucketName(NAMES.buckets.config),
      encryption: { kmsKeyArn: props.logsKeyArn },
      accessLogs: { bucket: props.accessLogsBucket, prefix: 'config-bucket/' },
      lifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 90, expireAfterDays: 2555 },
      policyStatements: [
        serviceStatement('AllowConfigBucketCheck', 'config.amazonaws.com', ['s3:GetBucketAcl', 's3:ListBucket'], getAtt('ConfigBucket', 'Arn'), sourceAccount),
        serviceStatement('AllowConfigDelivery', 'config.amazonaws.com', ['s3:PutObject'], delivery, {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': ref('AWS::AccountId') },
        }),
      ],
    }),
    ConfigRole: when(
      props.recorderCondition,
      role({
        description: 'AWS Config recorder: reads resource configurations, delivers snapshots to the Config bucket',
        services: ['config.amazonaws.com'],
        managedPolicyArns: [sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AWS_ConfigRole')],
        statements: [
          allow(['s3:GetBucketAcl'], [getAtt('ConfigBucket', 'Arn')]),
          allow(['s3:PutObject'], [delivery]),
          allow(['kms:GenerateDataKey', 'kms:Decrypt'], [props.logsKeyArn]),
        ],
      }),
    ),
    ConfigRecorder: when(
      props.recorderCondition,
      new ConfigurationRecorder({
        RoleARN: getAtt('ConfigRole', 'Arn'),
        RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
      }),
    ),
    ConfigDeliveryChannel: when(
      props.recorderCondition,
      dependsOn(
        new DeliveryChannel({
          S3BucketName: ref('ConfigBucket'),
          S3KmsKeyArn: props.logsKeyArn,
          ConfigSnapshotDeliveryProperties: { DeliveryFrequency: 'TwentyFour_Hours' },
        }),
        'ConfigRecorder',
        'ConfigBucketPolicy',
      ),
    ),
    ConfigRecorderReady: Object.assign(new WaitConditionHandle({}), {
      Metadata: {
        Recorder: ifThen(props.recorderCondition, ref('ConfigRecorder'), 'account recorder'),
        DeliveryChannel: ifThen(props.recorderCondition, ref('ConfigDeliveryChannel'), 'account delivery channel'),
      },
    }),
    ...rules,
  };
}
