/**
 * The platform's five customer managed keys and their key policies. One key per data domain so
 * a grant on one (say, the analytics role's kms:Decrypt on DataLakeKey) never opens another.
 *
 * | key          | encrypts                                        | services in the key policy                     |
 * | ------------ | ----------------------------------------------- | ---------------------------------------------- |
 * | DataLakeKey  | raw/processed/Athena-results buckets            | S3 (via service)                               |
 * | TablesKey    | MetricsTable, LatestTable, backups               | DynamoDB (via service)                         |
 * | SecretsKey   | market-data API key, Slack webhook              | Secrets Manager (via service)                  |
 * | StreamingKey | Kinesis stream, SQS DLQs, SNS alert topics      | Kinesis/SQS/SNS (via service); CloudWatch alarms, Budgets, Cost Anomaly Detection and EventBridge publishing to encrypted topics; SNS redriving into the encrypted notifier DLQ |
 * | LogsKey      | log groups, CloudTrail, Config snapshots        | CloudWatch Logs (encryption-context scoped), CloudTrail |
 *
 * "Via service" statements name this account's principals and a `kms:ViaService` condition:
 * they grant nothing beyond what an IAM policy also grants (the account-root statement of
 * `cmk()` delegates to IAM), and they record which service each key is for, so narrowing the
 * admin statement later cannot silently break a service.
 */
import { ref, sub } from './fn';
import { cmk, KEY_USAGE_ACTIONS, serviceUsesKey } from './kms';
import { nameText } from './names';
import type { Statement } from './policy';
import type { Fragment } from './template';

export const KEY_IDS = {
  dataLake: 'DataLakeKey',
  tables: 'TablesKey',
  secrets: 'SecretsKey',
  streaming: 'StreamingKey',
  logs: 'LogsKey',
} as const;

/**
 * `!Sub` text of the trail's name, shared by the trail resource and the key policy's source-ARN
 * condition. With the region: a multi-region trail's name is taken in every region of the account,
 * so the same environment deployed from two home regions would otherwise collide.
 */
export const TRAIL_NAME_TEXT = `${nameText('trail')}-\${AWS::Region}`;

function accountUsesKeyVia(sid: string, service: string): Statement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
    Action: [...KEY_USAGE_ACTIONS, 'kms:CreateGrant'],
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': sub(`${service}.\${AWS::Region}.amazonaws.com`), 'kms:CallerAccount': ref('AWS::AccountId') } },
  };
}

/** Services that publish to our encrypted SNS topics: they need GenerateDataKey and Decrypt on the topic key. */
function publisherUsesKey(sid: string, service: string): Statement {
  return { Sid: sid, Effect: 'Allow', Principal: { Service: service }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' };
}

/** CloudWatch Logs may use the key only for log groups of this account and region. */
const logsUseKey = serviceUsesKey('AllowCloudWatchLogs', sub('logs.${AWS::Region}.amazonaws.com'), {
  ArnLike: { 'kms:EncryptionContext:aws:logs:arn': sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*') },
});

/** CloudTrail may generate data keys only for our trail, with this account's trail encryption context. */
const cloudTrailUsesKey: Statement = {
  Sid: 'AllowCloudTrailEncrypt',
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 'kms:GenerateDataKey',
  Resource: '*',
  Condition: {
    StringEquals: { 'aws:SourceArn': sub(`arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/${TRAIL_NAME_TEXT}`) },
    StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': sub('arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*') },
  },
};

const cloudTrailDescribesKey: Statement = {
  Sid: 'AllowCloudTrailDescribe',
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 'kms:DescribeKey',
  Resource: '*',
};

/** All five keys with aliases (`alias/<NamePrefix>-<domain>`). */
export function platformKeys(): Fragment {
  return {
    ...cmk(KEY_IDS.dataLake, {
      description: 'Data lake buckets (raw, processed, Athena results): SSE-KMS with bucket keys',
      alias: 'data-lake',
      statements: [accountUsesKeyVia('AllowUseThroughS3', 's3')],
    }),
    ...cmk(KEY_IDS.tables, {
      description: 'DynamoDB tables MetricsTable and LatestTable and their streams',
      alias: 'tables',
      statements: [accountUsesKeyVia('AllowUseThroughDynamoDB', 'dynamodb')],
    }),
    ...cmk(KEY_IDS.secrets, {
      description: 'Secrets Manager secrets (market-data API key, Slack webhook)',
      alias: 'secrets',
      statements: [accountUsesKeyVia('AllowUseThroughSecretsManager', 'secretsmanager')],
    }),
    ...cmk(KEY_IDS.streaming, {
      description: 'Kinesis stream, SQS dead-letter queues and SNS alert topics',
      alias: 'streaming',
      statements: [
        accountUsesKeyVia('AllowUseThroughKinesis', 'kinesis'),
        accountUsesKeyVia('AllowUseThroughSqs', 'sqs'),
        accountUsesKeyVia('AllowUseThroughSns', 'sns'),
        accountUsesKeyVia('AllowUseThroughScheduler', 'scheduler'),
        publisherUsesKey('AllowCloudWatchAlarmsToPublish', 'cloudwatch.amazonaws.com'),
        publisherUsesKey('AllowBudgetsToPublish', 'budgets.amazonaws.com'),
        publisherUsesKey('AllowCostAnomalyDetectionToPublish', 'costalerts.amazonaws.com'),
        publisherUsesKey('AllowEventBridgeToPublish', 'events.amazonaws.com'),
        // SNS redrives undeliverable notifier deliveries into the encrypted notifier DLQ.
        publisherUsesKey('AllowSnsToSendToEncryptedQueues', 'sns.amazonaws.com'),
      ],
    }),
    ...cmk(KEY_IDS.logs, {
      description: 'CloudWatch Logs groups, CloudTrail log files and AWS Config snapshots',
      alias: 'logs',
      statements: [logsUseKey, cloudTrailUsesKey, cloudTrailDescribesKey],
    }),
  };
}
