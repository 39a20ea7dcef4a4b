/**
 * security.yaml (roadmap step 9 and the SNS topics of step 8): the five CMKs, one least-privilege
 * role per Lambda function and the cross-account analytics role, the API-key and Slack secrets,
 * CloudTrail, AWS Config with managed rules, GuardDuty, Security Hub, the WAF web ACL and the
 * four KMS-encrypted alert topics. Deployed first: every other stack takes its keys and topics.
 */
import Rule from 'cloudform-types/types/events/rule';
import Detector from 'cloudform-types/types/guardDuty/detector';
import Secret from 'cloudform-types/types/secretsManager/secret';
import Hub from 'cloudform-types/types/securityHub/hub';
import Standard from 'cloudform-types/types/securityHub/standard';
import { COMMON_INPUTS, newStackTemplate, SECONDARY_REGION_INPUT } from './lib/common';
import { and, conditionRef, equals, findInMap, getAtt, ifThen, join, NO_VALUE, not, or, ref, split, sub } from './lib/fn';
import { auditTrail, configCompliance, MANAGED_RULES } from './lib/governance';
import { functionRole, type FunctionKey, type FunctionRoleRefs } from './lib/iam-functions';
import { KEY_IDS, platformKeys, TRAIL_NAME_TEXT } from './lib/keys';
import { bucketName, bucketNameText, NAMES, nameText, tags } from './lib/names';
import { allow, arn, role } from './lib/policy';
import { dependsOn, when } from './lib/resources';
import { accessLogsBucket } from './lib/s3';
import { alertTopic, PUBLISHERS } from './lib/sns';
import type { StackDefinition } from './lib/stack';
import { webAcl } from './lib/waf';
import { booleanParameter } from './lib/template';

const keyArn = (id: string) => getAtt(id, 'Arn');

/** Logical ID of each function's role → the output other stacks read. */
const FUNCTION_ROLES: Readonly<Record<FunctionKey, string>> = {
  poller: 'PollerRole',
  enricher: 'EnricherRole',
  aggregator: 'AggregatorRole',
  rules: 'RulesRole',
  notifier: 'NotifierRole',
  rotation: 'RotationRole',
};

const TOPICS = [
  {
    id: 'OpsAlertsTopic',
    output: 'OpsAlertsTopicArn',
    suffix: NAMES.topics.ops,
    display: 'Ops alerts',
    publishers: [PUBLISHERS.cloudWatchAlarms, PUBLISHERS.eventBridge],
  },
  { id: 'MarketAlertsTopic', output: 'MarketAlertsTopicArn', suffix: NAMES.topics.market, display: 'Market alerts', publishers: [] },
  { id: 'WeatherAlertsTopic', output: 'WeatherAlertsTopicArn', suffix: NAMES.topics.weather, display: 'Weather alerts', publishers: [] },
  {
    id: 'FinOpsAlertsTopic',
    output: 'FinOpsAlertsTopicArn',
    suffix: NAMES.topics.finops,
    display: 'FinOps alerts',
    publishers: [PUBLISHERS.budgets, PUBLISHERS.costAnomalies, PUBLISHERS.cloudWatchAlarms],
  },
] as const;

export const security: StackDefinition = {
  id: 'Security',
  file: 'security.yaml',
  source: 'templates-src/security.ts',
  steps: [8, 9],
  inputs: {
    ...COMMON_INPUTS,
    AlertEmail: { parameter: 'AlertEmail' },
    TrustedAccountIds: { parameter: 'TrustedAccountIds' },
    AnalyticsExternalId: { parameter: 'AnalyticsExternalId' },
    EnableGuardDuty: { parameter: 'EnableGuardDuty' },
    EnableSecurityHub: { parameter: 'EnableSecurityHub' },
    EnableConfigRecorder: { parameter: 'EnableConfigRecorder' },
    UseExistingConfigRecorder: { parameter: 'UseExistingConfigRecorder' },
    EnableCloudTrail: { parameter: 'EnableCloudTrail' },
    EnableWaf: { parameter: 'EnableWaf' },
    MarketDataProvider: { parameter: 'MarketDataProvider' },
    ReplicaKmsKeyArn: { parameter: 'ReplicaKmsKeyArn' },
    SecondaryRegion: SECONDARY_REGION_INPUT,
    SecurityHubStandardArn: { value: findInMap('RegionConfig', ref('AWS::Region'), 'SecurityHubStandardArn') },
  },
  outputs: [
    'DataLakeKeyArn',
    'TablesKeyArn',
    'SecretsKeyArn',
    'StreamingKeyArn',
    'LogsKeyArn',
    'OpsAlertsTopicArn',
    'MarketAlertsTopicArn',
    'WeatherAlertsTopicArn',
    'FinOpsAlertsTopicArn',
    'MarketDataSecretArn',
    'SlackWebhookSecretArn',
    'WebAclArn',
    'PollerRoleArn',
    'EnricherRoleArn',
    'AggregatorRoleArn',
    'RulesRoleArn',
    'NotifierRoleArn',
    'RotationRoleArn',
    'AnalyticsReadOnlyRoleArn',
  ],
  build() {
    const t = newStackTemplate(
      'security',
      'Keys, IAM roles, secrets, CloudTrail, AWS Config, GuardDuty, Security Hub, WAF and the alert topics (roadmap steps 9 and 8)',
    );
    t.parameter('AlertEmail', { Type: 'String', Description: 'Email subscribed to the four alert topics; empty for none', Default: '' });
    t.parameter('TrustedAccountIds', {
      Type: 'String',
      Description: 'Comma-separated account IDs that may assume the read-only analytics role; empty for none',
      Default: '',
    });
    t.parameter('AnalyticsExternalId', { Type: 'String', Description: 'ExternalId the trusted accounts must present', NoEcho: true, MinLength: 2 });
    t.parameter(
      'EnableGuardDuty',
      booleanParameter('Create the GuardDuty detector of this account and region (false: the account has one, or none is wanted)', 'false'),
    );
    t.parameter('EnableSecurityHub', booleanParameter('Enable Security Hub and its foundational standard (false: already enabled, or not wanted)', 'false'));
    t.parameter('EnableConfigRecorder', booleanParameter('Create the Config recorder and delivery channel (false when the account has one)', 'false'));
    t.parameter(
      'UseExistingConfigRecorder',
      booleanParameter("The account's own Config recorder records this region: create the rules against it, and no recorder", 'false'),
    );
    t.parameter('EnableCloudTrail', booleanParameter('Create the multi-region trail (false when the account already has one)', 'false'));
    t.parameter('EnableWaf', booleanParameter('Create the WAF web ACL for the ingestion API (false: none, WebAclArn is empty)', 'true'));
    t.parameter('MarketDataProvider', {
      Type: 'String',
      Description: 'Stock quote API whose key the market-data secret holds',
      AllowedValues: ['finnhub', 'alphavantage'],
    });
    t.parameter('ReplicaKmsKeyArn', {
      Type: 'String',
      Description: 'KMS key in the secondary region for the secret replicas; empty: secrets are not replicated',
      Default: '',
    });
    t.parameter('SecondaryRegion', { Type: 'String', Description: 'Region of the standby deployment' });
    t.parameter('SecurityHubStandardArn', {
      Type: 'String',
      Description: "ARN of Security Hub's AWS Foundational Security Best Practices standard in this region (root's RegionConfig mapping)",
    });
    t.condition('HasAlertEmail', not(equals(ref('AlertEmail'), '')));
    t.condition('HasTrustedAccounts', not(equals(ref('TrustedAccountIds'), '')));
    t.condition('HasReplica', not(equals(ref('ReplicaKmsKeyArn'), '')));
    t.condition('CreateGuardDuty', equals(ref('EnableGuardDuty'), 'true'));
    t.condition('CreateSecurityHub', equals(ref('EnableSecurityHub'), 'true'));
    // One recorder per account and region: an existing one wins over creating ours.
    t.condition('UsesExistingRecorder', equals(ref('UseExistingConfigRecorder'), 'true'));
    t.condition('CreateConfigRecorder', and(equals(ref('EnableConfigRecorder'), 'true'), not(conditionRef('UsesExistingRecorder'))));
    t.condition('HasConfigRecorder', or(conditionRef('CreateConfigRecorder'), conditionRef('UsesExistingRecorder')));
    t.condition('CreateTrail', equals(ref('EnableCloudTrail'), 'true'));
    const createWaf = t.condition('CreateWaf', equals(ref('EnableWaf'), 'true'));

    // --- Keys ---------------------------------------------------------------------------------
    t.add(platformKeys());
    t.implements('9.2', ...Object.values(KEY_IDS));

    // --- Alert topics (step 8) ----------------------------------------------------------------
    for (const topic of TOPICS) {
      t.add(
        alertTopic(topic.id, {
          nameSuffix: topic.suffix,
          displayName: topic.display,
          kmsKeyArn: keyArn(KEY_IDS.streaming),
          publishers: topic.publishers,
          email: { address: ref('AlertEmail'), condition: 'HasAlertEmail' },
        }),
      );
    }
    t.implements('8.3', ...TOPICS.flatMap((x) => [x.id, `${x.id}Policy`, `${x.id}EmailSubscription`]));

    // --- Secrets ------------------------------------------------------------------------------
    // The rotation schedule lives in compute.yaml beside the rotation function it invokes
    // (an AWS::SecretsManager::RotationSchedule here would need the function's ARN, which would
    // make this stack depend on compute). The generated apiKey is a placeholder: set the real key
    // with `aws secretsmanager put-secret-value` after the first deploy.
    const replicas = ifThen('HasReplica', [{ Region: ref('SecondaryRegion'), KmsKeyId: ref('ReplicaKmsKeyArn') }], NO_VALUE);
    t.resource(
      'MarketDataSecret',
      new Secret({
        Name: sub(`\${NamePrefix}/${NAMES.secrets.marketData}`),
        Description: sub(
          'API key of the ${MarketDataProvider} quote API: {"apiKey": "...", "standbyKeys": [...]}; rotated by the rotation function, whose schedule is in compute.yaml',
        ),
        KmsKeyId: keyArn(KEY_IDS.secrets),
        GenerateSecretString: { SecretStringTemplate: '{"standbyKeys":[]}', GenerateStringKey: 'apiKey', PasswordLength: 32, ExcludePunctuation: true },
        ReplicaRegions: replicas,
        Tags: tags(),
      }),
    );
    // Slack incoming-webhook URL. Created without a value (no SecretString and no
    // GenerateSecretString make an empty secret): a webhook is a credential and never belongs in a
    // template. Until one is stored with put-secret-value, the notifier skips Slack and says so.
    t.resource(
      'SlackWebhookSecret',
      new Secret({
        Name: sub(`\${NamePrefix}/${NAMES.secrets.slackWebhook}`),
        Description:
          'Slack incoming webhook for alert notifications; store {"webhookUrl": "https://hooks.slack.com/services/..."} with put-secret-value (empty: alerts go by email only)',
        KmsKeyId: keyArn(KEY_IDS.secrets),
        ReplicaRegions: replicas,
        Tags: tags(),
      }),
    );
    t.implements('9.3', 'MarketDataSecret', 'SlackWebhookSecret', 'SecretsKey', 'RotationRole');

    // --- Function roles and the cross-account analytics role ------------------------------------
    const refs: FunctionRoleRefs = {
      dataLakeKeyArn: keyArn(KEY_IDS.dataLake),
      tablesKeyArn: keyArn(KEY_IDS.tables),
      secretsKeyArn: keyArn(KEY_IDS.secrets),
      streamingKeyArn: keyArn(KEY_IDS.streaming),
      marketAlertsTopicArn: ref('MarketAlertsTopic'),
      weatherAlertsTopicArn: ref('WeatherAlertsTopic'),
      marketDataSecretArn: ref('MarketDataSecret'),
      slackWebhookSecretArn: ref('SlackWebhookSecret'),
    };
    for (const [fn, id] of Object.entries(FUNCTION_ROLES) as [FunctionKey, string][]) t.resource(id, functionRole(fn, refs));

    // Principal list: IAM accepts a bare 12-digit account ID as an AWS principal and stores it as
    // arn:<partition>:iam::<id>:root, so !Split of the comma list is already a valid principal
    // list. Building full ARNs instead would need !Join with an `:root,arn:aws:iam::` delimiter,
    // and a !Join delimiter must be a literal, which would hard-code the `aws` partition.
    const glueDatabase = join('', [join('_', split('-', ref('NamePrefix'))), `_${NAMES.glueDatabase}`]);
    t.resource(
      'AnalyticsReadOnlyRole',
      when(
        'HasTrustedAccounts',
        role({
          roleName: sub(`${nameText('analytics-ro')}-\${AWS::Region}`),
          description: 'Read-only access to the processed zone, the Glue catalog, Athena and the tables for trusted analytics accounts',
          assumeRolePolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: split(',', ref('TrustedAccountIds')) },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'sts:ExternalId': ref('AnalyticsExternalId') } },
              },
            ],
          },
          statements: [
            allow(['s3:ListBucket', 's3:GetBucketLocation'], [sub(`arn:\${AWS::Partition}:s3:::${bucketNameText(NAMES.buckets.processed)}`)]),
            allow(['s3:GetObject'], [sub(`arn:\${AWS::Partition}:s3:::${bucketNameText(NAMES.buckets.processed)}/processed/*`)]),
            // Athena writes query results; the workgroup enforces its own results bucket.
            allow(
              ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListBucket', 's3:GetBucketLocation'],
              [
                sub(`arn:\${AWS::Partition}:s3:::${bucketNameText(NAMES.buckets.athenaResults)}`),
                sub(`arn:\${AWS::Partition}:s3:::${bucketNameText(NAMES.buckets.athenaResults)}/*`),
              ],
            ),
            allow(
              [
                'athena:StartQueryExecution',
                'athena:GetQueryExecution',
                'athena:GetQueryResults',
                'athena:StopQueryExecution',
                'athena:GetWorkGroup',
                'athena:ListNamedQueries',
                'athena:GetNamedQuery',
                'athena:BatchGetNamedQuery',
              ],
              [arn('athena', `workgroup/${nameText(NAMES.athenaWorkgroup)}`)],
            ),
            allow(
              ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
              [
                arn('glue', 'catalog'),
                sub('arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:database/${Db}', { Db: glueDatabase }),
                sub('arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/${Db}/*', { Db: glueDatabase }),
              ],
            ),
            allow(
              ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
              [arn('dynamodb', `table/${nameText(NAMES.metricsTable)}`), arn('dynamodb', `table/${nameText(NAMES.latestTable)}`)],
            ),
            allow(['kms:Decrypt', 'kms:GenerateDataKey'], [keyArn(KEY_IDS.dataLake)], {
              StringEquals: { 'kms:ViaService': sub('s3.${AWS::Region}.amazonaws.com') },
            }),
            allow(['kms:Decrypt'], [keyArn(KEY_IDS.tables)], { StringEquals: { 'kms:ViaService': sub('dynamodb.${AWS::Region}.amazonaws.com') } }),
          ],
        }),
      ),
    );
    t.implements('9.1', ...Object.values(FUNCTION_ROLES), 'AnalyticsReadOnlyRole');

    // --- CloudTrail and AWS Config -----------------------------------------------------------
    // Server access logs of the two audit buckets; the lake's access-log bucket (data-lake.yaml)
    // deploys after this stack, so the audit buckets get their own target.
    const auditSources = [NAMES.buckets.trail, NAMES.buckets.config].map((purpose) => sub(`arn:\${AWS::Partition}:s3:::${bucketNameText(purpose)}`));
    t.add(
      accessLogsBucket('AuditAccessLogsBucket', {
        bucketName: bucketName(NAMES.buckets.auditAccessLogs),
        sourceBucketArns: auditSources,
        purpose: 'the CloudTrail and Config buckets',
      }),
    );
    t.add(
      auditTrail({
        logsKeyArn: keyArn(KEY_IDS.logs),
        trailNameText: TRAIL_NAME_TEXT,
        trailCondition: 'CreateTrail',
        accessLogsBucket: ref('AuditAccessLogsBucket'),
      }),
    );
    t.add(
      configCompliance({
        logsKeyArn: keyArn(KEY_IDS.logs),
        bucketKeyArns: [keyArn(KEY_IDS.dataLake), keyArn(KEY_IDS.logs)],
        tablesKeyArn: keyArn(KEY_IDS.tables),
        recorderCondition: 'CreateConfigRecorder',
        rulesCondition: 'HasConfigRecorder',
        accessLogsBucket: ref('AuditAccessLogsBucket'),
      }),
    );
    t.implements(
      '9.4',
      'Trail',
      'TrailBucket',
      'TrailLogGroup',
      'AuditAccessLogsBucket',
      'ConfigRecorder',
      'ConfigDeliveryChannel',
      'ConfigBucket',
      ...MANAGED_RULES.map((r) => r.id),
    );

    // --- GuardDuty, Security Hub, WAF -----------------------------------------------------------
    t.resource(
      'GuardDutyDetector',
      when(
        'CreateGuardDuty',
        new Detector({
          Enable: true,
          FindingPublishingFrequency: 'FIFTEEN_MINUTES',
          Features: [
            { Name: 'S3_DATA_EVENTS', Status: 'ENABLED' },
            { Name: 'LAMBDA_NETWORK_LOGS', Status: 'ENABLED' },
          ],
          Tags: tags(),
        }),
      ),
    );
    // High-severity findings page the on-call through OpsAlerts, whoever owns the detector.
    t.resource(
      'GuardDutyFindingsRule',
      new Rule({
        Name: sub(`${nameText('guardduty-high')}`),
        Description: 'GuardDuty findings of severity 7 or more to OpsAlerts',
        EventPattern: { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'], detail: { severity: [{ numeric: ['>=', 7] }] } },
        State: 'ENABLED',
        Targets: [{ Id: 'ops-alerts', Arn: ref('OpsAlertsTopic') }],
      }),
    );
    // EnableDefaultStandards false: the foundational standard is enabled explicitly below, and the
    // CIS standard the default would add is left to the account owner.
    t.resource(
      'SecurityHub',
      when(
        'CreateSecurityHub',
        new Hub({ EnableDefaultStandards: false, ControlFindingGenerator: 'SECURITY_CONTROL', AutoEnableControls: true, Tags: { Project: ref('NamePrefix') } }),
      ),
    );
    t.resource(
      'FoundationalStandard',
      when(
        'CreateSecurityHub',
        dependsOn(
          new Standard({
            StandardsArn: ref('SecurityHubStandardArn'),
          }),
          'SecurityHub',
        ),
      ),
    );
    t.add(webAcl({ logsKeyArn: keyArn(KEY_IDS.logs), condition: createWaf }));
    t.implements('9.5', 'GuardDutyDetector', 'GuardDutyFindingsRule', 'SecurityHub', 'FoundationalStandard', 'WebAcl', 'WebAclLogging');

    // --- Outputs ------------------------------------------------------------------------------
    const keyOutputs = {
      DataLakeKeyArn: KEY_IDS.dataLake,
      TablesKeyArn: KEY_IDS.tables,
      SecretsKeyArn: KEY_IDS.secrets,
      StreamingKeyArn: KEY_IDS.streaming,
      LogsKeyArn: KEY_IDS.logs,
    };
    for (const [name, id] of Object.entries(keyOutputs)) t.output(name, { description: `ARN of the ${id} CMK`, value: keyArn(id) });
    for (const topic of TOPICS) t.output(topic.output, { description: `${topic.display} topic ARN`, value: ref(topic.id) });
    t.output('MarketDataSecretArn', { description: 'Market-data API key secret ARN', value: ref('MarketDataSecret') });
    t.output('SlackWebhookSecretArn', { description: 'Slack webhook secret ARN', value: ref('SlackWebhookSecret') });
    t.output('WebAclArn', {
      description: 'WAF web ACL ARN, associated with the API stage by streaming.yaml; empty without EnableWaf',
      value: ifThen(createWaf, getAtt('WebAcl', 'Arn'), ''),
    });
    for (const [fn, id] of Object.entries(FUNCTION_ROLES))
      t.output(`${id}Arn`, { description: `Execution role of the ${fn} function`, value: getAtt(id, 'Arn') });
    // Always present (empty without trusted accounts) so root can read it unconditionally.
    t.output('AnalyticsReadOnlyRoleArn', {
      description: 'Cross-account read-only analytics role (empty when TrustedAccountIds is empty)',
      value: ifThen('HasTrustedAccounts', getAtt('AnalyticsReadOnlyRole', 'Arn'), ''),
    });
    return t.toDocument();
  },
};
