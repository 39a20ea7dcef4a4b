/**
 * One execution role per Lambda function, least privilege. Resources are scoped with the NAMES
 * convention (`${NamePrefix}-<suffix>` ARNs), so security.yaml can grant access to the stream,
 * tables, buckets and queues that later stacks create without a circular reference; the keys,
 * topics and secrets live in security.yaml itself and are referenced by `!GetAtt`/`!Ref`.
 *
 * What each function touches (DESIGN §4–5, handlers/lib/contracts.ts):
 *
 * | function   | reads                                   | writes                                              |
 * | ---------- | --------------------------------------- | --------------------------------------------------- |
 * | poller     | market-data secret, lease items         | Kinesis PutRecords; LatestTable `LEASE#` items      |
 * | enricher   | Kinesis stream                          | Metrics + Latest tables; raw/, quarantine/ (raw), processed/ (processed) |
 * | aggregator | Kinesis stream, tables                  | Metrics + Latest tables (rolling state)             |
 * | rules      | LatestTable stream                      | LatestTable `ALERT#` markers; MarketAlerts, WeatherAlerts |
 * | notifier   | Slack webhook secret                    | —                                                   |
 * | rotation   | market-data secret                      | market-data secret versions                         |
 *
 * Every stream consumer (and the SNS-invoked notifier) may send to its own on-failure queue.
 * Every function gets X-Ray and, through the AWS managed AWSLambdaVPCAccessExecutionRole, its
 * VPC network interfaces and log delivery (the log groups themselves are created in compute.yaml).
 */
import { sub, type IntrinsicFunction, type Value } from './fn';
import { bucketNameText, NAMES, nameText } from './names';
import { allow, arn, role, type Statement } from './policy';
import type Role from 'cloudform-types/types/iam/role';

export type FunctionKey = keyof typeof NAMES.functions;

/** The KMS keys and security.yaml resources a function policy may name. */
export interface FunctionRoleRefs {
  readonly dataLakeKeyArn: Value<string>;
  readonly tablesKeyArn: Value<string>;
  readonly secretsKeyArn: Value<string>;
  readonly streamingKeyArn: Value<string>;
  readonly marketAlertsTopicArn: Value<string>;
  readonly weatherAlertsTopicArn: Value<string>;
  readonly marketDataSecretArn: Value<string>;
  readonly slackWebhookSecretArn: Value<string>;
}

/** Actions a Lambda event source mapping needs to read a Kinesis stream (no ListStreams: it needs `*`). */
export const KINESIS_CONSUMER_ACTIONS = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
  'kinesis:SubscribeToShard',
] as const;
/** Actions a Lambda event source mapping needs to read a DynamoDB stream. */
export const DYNAMODB_STREAM_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'] as const;

const streamArn = (): Value<string> => arn('kinesis', `stream/${nameText(NAMES.stream)}`);
const tableArn = (table: string): Value<string> => arn('dynamodb', `table/${nameText(table)}`);
const tableIndexesArn = (table: string): Value<string> => arn('dynamodb', `table/${nameText(table)}/index/*`);
const tableStreamArn = (table: string): Value<string> => arn('dynamodb', `table/${nameText(table)}/stream/*`);
const queueArn = (queue: string): Value<string> => arn('sqs', nameText(queue));
const objectsArn = (purpose: string, prefix: string): IntrinsicFunction => sub(`arn:\${AWS::Partition}:s3:::${bucketNameText(purpose)}/${prefix}*`);

/** The statement with a Sid, so the generated policy reads as a list of named permissions. */
function named(sid: string, statement: Statement): Statement {
  return { Sid: sid, ...statement };
}

const title = (service: string): string => service.charAt(0).toUpperCase() + service.slice(1);

/** kms:ViaService condition: the key is only usable through this service in this region. */
function via(service: string): Record<string, unknown> {
  return { StringEquals: { 'kms:ViaService': sub(`${service}.\${AWS::Region}.amazonaws.com`) } };
}

/** Encrypt-side use of a key (S3 PutObject, SNS Publish, SQS SendMessage, Kinesis PutRecords). */
function encryptWith(keyArn: Value<string>, service: string): Statement {
  return named(`EncryptThrough${title(service)}`, allow(['kms:GenerateDataKey', 'kms:Decrypt'], [keyArn], via(service)));
}

function decryptWith(keyArn: Value<string>, service: string): Statement {
  return named(`DecryptThrough${title(service)}`, allow(['kms:Decrypt'], [keyArn], via(service)));
}

function sendToDlq(queue: string, refs: FunctionRoleRefs): Statement[] {
  return [named('SendToOnFailureQueue', allow(['sqs:SendMessage'], [queueArn(queue)])), encryptWith(refs.streamingKeyArn, 'sqs')];
}

function tablesReadWrite(actions: readonly string[], tables: readonly string[], refs: FunctionRoleRefs): Statement[] {
  return [
    named(
      'ReadWriteTables',
      allow(
        actions,
        tables.flatMap((table) => [tableArn(table), tableIndexesArn(table)]),
      ),
    ),
    named('UseTablesKeyThroughDynamodb', allow(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], [refs.tablesKeyArn], via('dynamodb'))),
  ];
}

const kinesisConsumer = (refs: FunctionRoleRefs): Statement[] => [
  named('ReadEventStream', allow(KINESIS_CONSUMER_ACTIONS, [streamArn()])),
  decryptWith(refs.streamingKeyArn, 'kinesis'),
];

/** The inline statements of each function's role (X-Ray and VPC access are added by functionRole). */
export function functionStatements(fn: FunctionKey, refs: FunctionRoleRefs): Statement[] {
  const { metricsTable, latestTable, queues } = NAMES;
  switch (fn) {
    case 'poller':
      return [
        named('PutEvents', allow(['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:DescribeStreamSummary'], [streamArn()])),
        encryptWith(refs.streamingKeyArn, 'kinesis'),
        named('ReadMarketDataKey', allow(['secretsmanager:GetSecretValue'], [refs.marketDataSecretArn])),
        decryptWith(refs.secretsKeyArn, 'secretsmanager'),
        // The poller's run lease (`LEASE#poller`) is a conditional put in LatestTable.
        ...tablesReadWrite(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], [latestTable], refs),
        // Failed asynchronous invocations (compute.yaml PollerInvokeConfig) go to the scheduler DLQ.
        ...sendToDlq(queues.scheduler, refs),
      ];
    case 'enricher':
      return [
        ...kinesisConsumer(refs),
        ...tablesReadWrite(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'], [metricsTable, latestTable], refs),
        named(
          'WriteLakeObjects',
          allow(
            ['s3:PutObject', 's3:AbortMultipartUpload'],
            [objectsArn(NAMES.buckets.raw, 'raw/'), objectsArn(NAMES.buckets.raw, 'quarantine/'), objectsArn(NAMES.buckets.processed, 'processed/')],
          ),
        ),
        encryptWith(refs.dataLakeKeyArn, 's3'),
        ...sendToDlq(queues.enricher, refs),
      ];
    case 'aggregator':
      return [
        ...kinesisConsumer(refs),
        ...tablesReadWrite(
          ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
          [metricsTable, latestTable],
          refs,
        ),
        ...sendToDlq(queues.aggregator, refs),
      ];
    case 'rules':
      return [
        named('ReadLatestTableStream', allow(DYNAMODB_STREAM_ACTIONS, [tableStreamArn(latestTable)])),
        // Lambda validates a DynamoDB-stream mapping with ListStreams ("ensure the role can perform
        // the GetRecords, GetShardIterator, DescribeStream, and ListStreams actions"); ListStreams
        // lists the account's streams, so it is granted on `*` like AWSLambdaDynamoDBExecutionRole does.
        named('ListTableStreams', allow(['dynamodb:ListStreams'], '*')),
        // One alert per entity, rule and day: `ALERT#…` markers written with a conditional put.
        ...tablesReadWrite(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [latestTable], refs),
        named('PublishAlerts', allow(['sns:Publish'], [refs.marketAlertsTopicArn, refs.weatherAlertsTopicArn])),
        encryptWith(refs.streamingKeyArn, 'sns'),
        ...sendToDlq(queues.rules, refs),
      ];
    case 'notifier':
      return [
        named('ReadSlackWebhook', allow(['secretsmanager:GetSecretValue'], [refs.slackWebhookSecretArn])),
        decryptWith(refs.secretsKeyArn, 'secretsmanager'),
        ...sendToDlq(queues.notifier, refs),
      ];
    case 'rotation':
      return [
        named(
          'RotateMarketDataKey',
          allow(
            ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
            [refs.marketDataSecretArn],
          ),
        ),
        named('UseSecretsKeyThroughSecretsmanager', allow(['kms:Decrypt', 'kms:GenerateDataKey'], [refs.secretsKeyArn], via('secretsmanager'))),
      ];
  }
}

/** X-Ray has no resource-level permissions: `*` is the only valid resource. */
const XRAY: Statement = named('WriteTraces', allow(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], '*'));

/**
 * The execution role of one function: assumable by Lambda, the function's
 * statements, X-Ray, and the AWS managed AWSLambdaVPCAccessExecutionRole (ENIs in the private
 * subnets and CloudWatch Logs delivery). Named `<prefix>-<fn>-<region>` because IAM is global
 * and the secondary region deploys roles with the same prefix.
 */
export function functionRole(fn: FunctionKey, refs: FunctionRoleRefs): Role {
  return role({
    roleName: sub(`${nameText(NAMES.functions[fn])}-\${AWS::Region}`),
    description: `Execution role of the ${fn} function (least privilege; resources scoped by name)`,
    services: ['lambda.amazonaws.com'],
    statements: [...functionStatements(fn, refs), XRAY],
    managedPolicyArns: [sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole')],
  });
}
