import { ROADMAP } from '../../templates-src/roadmap';
import { ROOT_PARAMETERS } from '../../templates-src/parameters';
import { security } from '../../templates-src/security';
import { functionStatements, type FunctionRoleRefs } from '../../templates-src/lib/iam-functions';
import { alertTopic } from '../../templates-src/lib/sns';
import { canonicalize } from '../../templates-src/lib/yaml';

type Json = Record<string, any>;
const doc = canonicalize(security.build()) as Json;
const resources = doc.Resources as Record<string, Json>;
const props = (id: string): Json => resources[id]!.Properties;
const ofType = (type: string): [string, Json][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const keyStatements = (id: string): Json[] => props(id).KeyPolicy.Statement;
const policyStatements = (roleId: string): Json[] => props(roleId).Policies[0].PolicyDocument.Statement;
const actionsOf = (statements: Json[]): string[] => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
const sub = (text: string) => ({ 'Fn::Sub': text });
const ref = (name: string) => ({ Ref: name });
const DATA_SERVICES = ['s3', 'dynamodb', 'kinesis', 'kms', 'sqs', 'sns', 'secretsmanager'];

const KEYS = ['DataLakeKey', 'TablesKey', 'SecretsKey', 'StreamingKey', 'LogsKey'];
const ROLES = {
  poller: 'PollerRole',
  enricher: 'EnricherRole',
  aggregator: 'AggregatorRole',
  rules: 'RulesRole',
  notifier: 'NotifierRole',
  rotation: 'RotationRole',
} as const;

describe('security.yaml', () => {
  describe('KMS keys', () => {
    test.each(KEYS)('%s rotates yearly, is retained and has an alias', (id) => {
      expect(props(id)).toMatchObject({ EnableKeyRotation: true, Enabled: true, KeySpec: 'SYMMETRIC_DEFAULT' });
      expect(resources[id]!.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(props(`${id}Alias`).TargetKeyId).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    });

    test.each([
      ['DataLakeKey', 's3'],
      ['TablesKey', 'dynamodb'],
      ['SecretsKey', 'secretsmanager'],
      ['StreamingKey', 'kinesis'],
      ['StreamingKey', 'sqs'],
      ['StreamingKey', 'sns'],
    ])('%s names %s as the service it is used through', (id, service) => {
      const s = keyStatements(id).find((x) => x.Condition?.StringEquals?.['kms:ViaService']?.['Fn::Sub'] === `${service}.\${AWS::Region}.amazonaws.com`);
      expect(s).toBeDefined();
      expect(s!.Principal).toEqual({ AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') });
    });

    test.each(['cloudwatch.amazonaws.com', 'budgets.amazonaws.com', 'costalerts.amazonaws.com', 'events.amazonaws.com', 'sns.amazonaws.com'])(
      'StreamingKey lets %s write to the encrypted topics and queues',
      (service) => {
        const s = keyStatements('StreamingKey').find((x) => x.Principal?.Service === service);
        expect(s).toMatchObject({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'] });
      },
    );

    test('LogsKey lets CloudWatch Logs use it only for log groups of this account and region', () => {
      const s = keyStatements('LogsKey').find((x) => x.Sid === 'AllowCloudWatchLogs');
      expect(s!.Principal).toEqual({ Service: sub('logs.${AWS::Region}.amazonaws.com') });
      expect(s!.Condition).toEqual({
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*') },
      });
    });

    test('LogsKey lets CloudTrail encrypt only for our trail', () => {
      const s = keyStatements('LogsKey').find((x) => x.Sid === 'AllowCloudTrailEncrypt');
      expect(s).toMatchObject({ Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:GenerateDataKey' });
      expect(s!.Condition.StringEquals['aws:SourceArn']).toEqual(
        sub('arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/${NamePrefix}-trail-${AWS::Region}'),
      );
      expect(props('Trail').TrailName).toEqual(sub('${NamePrefix}-trail-${AWS::Region}'));
      expect(s!.Condition.StringLike['kms:EncryptionContext:aws:cloudtrail:arn']).toBeDefined();
    });

    test('kms:* appears only in the account-root administration statement', () => {
      for (const id of KEYS) {
        for (const s of keyStatements(id)) if (actionsOf([s]).includes('kms:*')) expect(s.Sid).toBe('AccountAdministers');
      }
    });
  });

  describe('alert topics', () => {
    const topics = ['OpsAlertsTopic', 'MarketAlertsTopic', 'WeatherAlertsTopic', 'FinOpsAlertsTopic'];

    test.each(topics)('%s is encrypted with StreamingKey and TLS-only', (id) => {
      expect(props(id).KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['StreamingKey', 'Arn'] });
      const statements = props(`${id}Policy`).PolicyDocument.Statement;
      expect(props(`${id}Policy`).Topics).toEqual([{ Ref: id }]);
      expect(statements[0]).toMatchObject({ Effect: 'Deny', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    });

    test.each(topics)('%s has an email subscription only when AlertEmail is set', (id) => {
      expect(resources[`${id}EmailSubscription`]).toMatchObject({
        Condition: 'HasAlertEmail',
        Properties: { TopicArn: { Ref: id }, Protocol: 'email', Endpoint: { Ref: 'AlertEmail' } },
      });
    });

    test('alertTopic() without an email creates only the topic and its policy', () => {
      expect(Object.keys(alertTopic('T', { nameSuffix: 't', displayName: 'T', kmsKeyArn: 'k' }))).toEqual(['T', 'TPolicy']);
    });

    test.each([
      ['OpsAlertsTopic', ['cloudwatch.amazonaws.com', 'events.amazonaws.com']],
      ['MarketAlertsTopic', []],
      ['WeatherAlertsTopic', []],
      ['FinOpsAlertsTopic', ['budgets.amazonaws.com', 'costalerts.amazonaws.com', 'cloudwatch.amazonaws.com']],
    ])('%s lets exactly %j publish, each pinned to this account', (id, services) => {
      const allows = props(`${id}Policy`).PolicyDocument.Statement.filter((s: Json) => s.Effect === 'Allow');
      expect(allows.map((s: Json) => s.Principal.Service)).toEqual(services);
      for (const s of allows) expect(s.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    });
  });

  describe('function roles', () => {
    test.each(Object.entries(ROLES))('%s: no wildcard action on a data service and no wildcard resource outside X-Ray', (fn, id) => {
      const statements = policyStatements(id);
      for (const action of actionsOf(statements)) {
        const [service, name] = action.split(':');
        if (DATA_SERVICES.includes(service!)) expect(name).not.toContain('*');
      }
      // `*` only where the action has no resource-level permissions: X-Ray, and DynamoDB ListStreams.
      for (const s of statements)
        if (s.Resource === '*') expect([['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['dynamodb:ListStreams']]).toContainEqual(actionsOf([s]));
      expect(props(id).RoleName).toEqual(sub(`\${NamePrefix}-${fn}-\${AWS::Region}`));
      expect(props(id).ManagedPolicyArns).toEqual([sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole')]);
      expect(props(id).AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: ['lambda.amazonaws.com'] });
    });

    const stream = sub('arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${NamePrefix}-events');
    const latest = sub('arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${NamePrefix}-latest');
    const metrics = sub('arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${NamePrefix}-metrics');
    const dlq = (name: string) => sub(`arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:\${NamePrefix}-${name}-dlq`);
    test.each([
      ['PollerRole', 'kinesis:PutRecords', [stream]],
      ['PollerRole', 'secretsmanager:GetSecretValue', [{ Ref: 'MarketDataSecret' }]],
      ['PollerRole', 'dynamodb:PutItem', expect.arrayContaining([latest])],
      ['EnricherRole', 'kinesis:GetRecords', [stream]],
      ['EnricherRole', 'dynamodb:BatchWriteItem', expect.arrayContaining([metrics, latest])],
      [
        'EnricherRole',
        's3:PutObject',
        [
          sub('arn:${AWS::Partition}:s3:::${NamePrefix}-raw-${AWS::AccountId}-${AWS::Region}/raw/*'),
          sub('arn:${AWS::Partition}:s3:::${NamePrefix}-raw-${AWS::AccountId}-${AWS::Region}/quarantine/*'),
          sub('arn:${AWS::Partition}:s3:::${NamePrefix}-processed-${AWS::AccountId}-${AWS::Region}/processed/*'),
        ],
      ],
      ['EnricherRole', 'sqs:SendMessage', [dlq('enricher')]],
      ['AggregatorRole', 'kinesis:GetShardIterator', [stream]],
      ['AggregatorRole', 'sqs:SendMessage', [dlq('aggregator')]],
      ['RulesRole', 'dynamodb:GetRecords', [sub('arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${NamePrefix}-latest/stream/*')]],
      ['RulesRole', 'sns:Publish', [{ Ref: 'MarketAlertsTopic' }, { Ref: 'WeatherAlertsTopic' }]],
      ['RulesRole', 'sqs:SendMessage', [dlq('rules')]],
      ['NotifierRole', 'secretsmanager:GetSecretValue', [{ Ref: 'SlackWebhookSecret' }]],
      ['NotifierRole', 'sqs:SendMessage', [dlq('notifier')]],
      ['RotationRole', 'secretsmanager:PutSecretValue', [{ Ref: 'MarketDataSecret' }]],
      ['RotationRole', 'secretsmanager:UpdateSecretVersionStage', [{ Ref: 'MarketDataSecret' }]],
    ])('%s allows %s only on %j', (id, action, resource) => {
      const statements = policyStatements(id).filter((s) => actionsOf([s]).includes(action));
      expect(statements).toHaveLength(1);
      expect(statements[0]!.Resource).toEqual(resource);
    });

    test.each([
      ['PollerRole', ['sns:Publish', 's3:PutObject', 'secretsmanager:PutSecretValue', 'kinesis:GetRecords']],
      ['EnricherRole', ['kinesis:PutRecords', 'sns:Publish', 'secretsmanager:GetSecretValue', 's3:GetObject', 's3:DeleteObject']],
      ['AggregatorRole', ['s3:PutObject', 'sns:Publish', 'secretsmanager:GetSecretValue']],
      ['RulesRole', ['kinesis:GetRecords', 's3:PutObject', 'secretsmanager:GetSecretValue', 'dynamodb:DeleteItem']],
      ['NotifierRole', ['dynamodb:PutItem', 'sns:Publish', 'kinesis:PutRecords', 's3:PutObject']],
      ['RotationRole', ['dynamodb:PutItem', 'sns:Publish', 'sqs:SendMessage', 'kinesis:PutRecords']],
    ])('%s cannot %j', (id, forbidden) => {
      const actions = actionsOf(policyStatements(id));
      for (const a of forbidden) expect(actions).not.toContain(a);
    });

    test.each(Object.entries(ROLES))('%s uses each KMS key only through its service, by the key’s ARN', (_fn, id) => {
      for (const s of policyStatements(id).filter((x) => actionsOf([x]).some((a) => a.startsWith('kms:')))) {
        expect(s.Resource).toHaveLength(1);
        expect(KEYS).toContain(s.Resource[0]['Fn::GetAtt'][0]);
        expect(s.Resource[0]['Fn::GetAtt'][1]).toBe('Arn');
        expect(s.Condition.StringEquals['kms:ViaService']).toBeDefined();
      }
    });

    test('the statement builder is pure: the same refs give the same statements', () => {
      const refs = {
        dataLakeKeyArn: 'a',
        tablesKeyArn: 'b',
        secretsKeyArn: 'c',
        streamingKeyArn: 'd',
        marketAlertsTopicArn: 'e',
        weatherAlertsTopicArn: 'f',
        marketDataSecretArn: 'g',
        slackWebhookSecretArn: 'h',
      } satisfies FunctionRoleRefs;
      expect(JSON.stringify(functionStatements('rules', refs))).toBe(JSON.stringify(functionStatements('rules', refs)));
    });
  });

  describe('cross-account analytics role', () => {
    const role = resources.AnalyticsReadOnlyRole!;

    test('exists only with trusted accounts, trusts the split account list and requires the ExternalId', () => {
      expect(role.Condition).toBe('HasTrustedAccounts');
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Split': [',', { Ref: 'TrustedAccountIds' }] } },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AnalyticsExternalId' } } },
        },
      ]);
    });

    test('is read-only on the lake and tables (writes only Athena results)', () => {
      const actions = actionsOf(policyStatements('AnalyticsReadOnlyRole'));
      expect(actions.filter((a) => /:(Put|Delete|Update|BatchWrite|Create)/.test(a))).toEqual(['s3:PutObject']);
      const put = policyStatements('AnalyticsReadOnlyRole').find((s) => actionsOf([s]).includes('s3:PutObject'));
      expect(JSON.stringify(put!.Resource)).toContain('athena-results');
    });

    test('its output is empty rather than missing without trusted accounts', () => {
      expect(doc.Outputs.AnalyticsReadOnlyRoleArn.Value).toEqual({ 'Fn::If': ['HasTrustedAccounts', { 'Fn::GetAtt': ['AnalyticsReadOnlyRole', 'Arn'] }, ''] });
      expect(doc.Outputs.AnalyticsReadOnlyRoleArn.Condition).toBeUndefined();
    });
  });

  test.each([
    ['MarketDataSecret', 'market-data-api-key'],
    ['SlackWebhookSecret', 'slack-webhook'],
  ])('%s is named %s under the prefix and encrypted with SecretsKey', (id, name) => {
    expect(props(id).Name).toEqual(sub(`\${NamePrefix}/${name}`));
    expect(props(id).KmsKeyId).toEqual({ 'Fn::GetAtt': ['SecretsKey', 'Arn'] });
    expect(props(id).ReplicaRegions['Fn::If'][0]).toBe('HasReplica');
  });

  test('the Slack webhook secret is created without a value: no credential, not even an empty one, is written in the template', () => {
    expect(props('SlackWebhookSecret').SecretString).toBeUndefined();
    expect(props('SlackWebhookSecret').GenerateSecretString).toBeUndefined();
    expect(props('SlackWebhookSecret').Description).toMatch(/put-secret-value/);
  });

  test('the market-data secret starts with a generated placeholder apiKey in the rotation function’s JSON shape', () => {
    expect(props('MarketDataSecret').GenerateSecretString).toMatchObject({ SecretStringTemplate: '{"standbyKeys":[]}', GenerateStringKey: 'apiKey' });
    expect(ofType('AWS::SecretsManager::RotationSchedule')).toEqual([]);
  });

  test('CloudTrail is multi-region, validated, KMS-encrypted and delivered to CloudWatch Logs', () => {
    expect(props('Trail')).toMatchObject({
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': ['LogsKey', 'Arn'] },
      S3BucketName: { Ref: 'TrailBucket' },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': ['TrailLogGroup', 'Arn'] },
      CloudWatchLogsRoleArn: { 'Fn::GetAtt': ['TrailLogsRole', 'Arn'] },
    });
    expect(resources.Trail!.DependsOn).toBe('TrailBucketPolicy');
    const sids = props('TrailBucketPolicy').PolicyDocument.Statement.map((s: Json) => s.Sid);
    expect(sids).toEqual(['DenyInsecureTransport', 'AllowCloudTrailAclCheck', 'AllowCloudTrailWrite']);
    expect(props('TrailBucket').BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID).toEqual({
      'Fn::GetAtt': ['LogsKey', 'Arn'],
    });
  });

  test('the trail is one per account: created only under EnableCloudTrail (default off); its bucket and log group exist either way', () => {
    for (const id of ['Trail', 'TrailLogsRole']) expect(resources[id]!.Condition).toBe('CreateTrail');
    for (const id of ['TrailBucket', 'TrailLogGroup']) expect(resources[id]!.Condition).toBeUndefined();
    expect(doc.Conditions.CreateTrail).toEqual({ 'Fn::Equals': [{ Ref: 'EnableCloudTrail' }, 'true'] });
  });

  test('the audit buckets log server access to their own log bucket (the lake one deploys later), which S3 writes only for them', () => {
    for (const id of ['TrailBucket', 'ConfigBucket']) expect(props(id).LoggingConfiguration.DestinationBucketName).toEqual({ Ref: 'AuditAccessLogsBucket' });
    expect(props('AuditAccessLogsBucket').BucketName).toEqual(sub('${NamePrefix}-audit-access-logs-${AWS::AccountId}-${AWS::Region}'));
    expect(props('AuditAccessLogsBucket').LoggingConfiguration).toBeUndefined();
    const grant = props('AuditAccessLogsBucketPolicy').PolicyDocument.Statement.find((x: Json) => x.Principal?.Service === 'logging.s3.amazonaws.com');
    expect(grant.Condition.ArnLike['aws:SourceArn']).toEqual([
      sub('arn:${AWS::Partition}:s3:::${NamePrefix}-cloudtrail-${AWS::AccountId}-${AWS::Region}'),
      sub('arn:${AWS::Partition}:s3:::${NamePrefix}-config-${AWS::AccountId}-${AWS::Region}'),
    ]);
  });

  test('the Config rules exist only where a recorder does (ours or the account’s): PutConfigRule fails with NoAvailableConfigurationRecorderException otherwise', () => {
    const rules = ofType('AWS::Config::ConfigRule');
    expect(rules.length).toBeGreaterThan(0);
    for (const [, rule] of rules) expect(rule.Condition).toBe('HasConfigRecorder');
    expect(doc.Conditions.HasConfigRecorder).toEqual({ 'Fn::Or': [{ Condition: 'CreateConfigRecorder' }, { Condition: 'UsesExistingRecorder' }] });
    // An existing recorder wins: ours is created only when there is none.
    expect(doc.Conditions.CreateConfigRecorder).toEqual({
      'Fn::And': [{ 'Fn::Equals': [{ Ref: 'EnableConfigRecorder' }, 'true'] }, { 'Fn::Not': [{ Condition: 'UsesExistingRecorder' }] }],
    });
  });

  test('the Config recorder, delivery channel and role follow EnableConfigRecorder; the rules wait for them', () => {
    for (const id of ['ConfigRecorder', 'ConfigDeliveryChannel', 'ConfigRole']) expect(resources[id]!.Condition).toBe('CreateConfigRecorder');
    expect(props('ConfigRecorder').RecordingGroup).toEqual({ AllSupported: true, IncludeGlobalResourceTypes: true });
    expect(props('ConfigDeliveryChannel')).toMatchObject({ S3BucketName: { Ref: 'ConfigBucket' }, S3KmsKeyArn: { 'Fn::GetAtt': ['LogsKey', 'Arn'] } });
    expect(resources.ConfigRecorderReady!.Metadata.Recorder).toEqual({ 'Fn::If': ['CreateConfigRecorder', { Ref: 'ConfigRecorder' }, 'account recorder'] });
    for (const [, rule] of ofType('AWS::Config::ConfigRule')) expect(rule.DependsOn).toBe('ConfigRecorderReady');
  });

  test.each([
    'S3_BUCKET_PUBLIC_READ_PROHIBITED',
    'S3_BUCKET_PUBLIC_WRITE_PROHIBITED',
    'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED',
    'S3_DEFAULT_ENCRYPTION_KMS',
    'DYNAMODB_TABLE_ENCRYPTED_KMS',
    'SNS_ENCRYPTED_KMS',
    'CMK_BACKING_KEY_ROTATION_ENABLED',
    'KINESIS_STREAM_ENCRYPTED',
  ])('the AWS managed Config rule %s is deployed', (identifier) => {
    const rules = ofType('AWS::Config::ConfigRule').filter(([, r]) => r.Properties.Source.SourceIdentifier === identifier);
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties.Source.Owner).toBe('AWS');
  });

  test('S3 default encryption must use one of our bucket keys', () => {
    const [[, rule]] = ofType('AWS::Config::ConfigRule').filter(([, r]) => r.Properties.Source.SourceIdentifier === 'S3_DEFAULT_ENCRYPTION_KMS') as [
      [string, Json],
    ];
    expect(rule.Properties.InputParameters.kmsKeyArns).toEqual({
      'Fn::Join': [',', [{ 'Fn::GetAtt': ['DataLakeKey', 'Arn'] }, { 'Fn::GetAtt': ['LogsKey', 'Arn'] }]],
    });
  });

  test.each([
    ['GuardDutyDetector', 'CreateGuardDuty'],
    ['SecurityHub', 'CreateSecurityHub'],
    ['FoundationalStandard', 'CreateSecurityHub'],
  ])('account singleton %s has the toggle %s', (id, condition) => {
    expect(resources[id]!.Condition).toBe(condition);
    expect(doc.Conditions[condition]['Fn::Equals'][1]).toBe('true');
  });

  test.each(['EnableGuardDuty', 'EnableSecurityHub', 'EnableConfigRecorder', 'EnableCloudTrail'])(
    '%s defaults to false here and in root: a deploy without a decision creates no account singleton',
    (name) => {
      expect(doc.Parameters[name].Default).toBe('false');
      expect(ROOT_PARAMETERS[name]!.definition.Default).toBe('false');
    },
  );

  test('Security Hub enables the AWS Foundational Security Best Practices standard explicitly', () => {
    expect(props('SecurityHub').EnableDefaultStandards).toBe(false);
    // The ARN is region-specific; root passes it from its RegionConfig mapping.
    expect(props('FoundationalStandard').StandardsArn).toEqual(ref('SecurityHubStandardArn'));
    expect(JSON.parse(JSON.stringify(security.inputs.SecurityHubStandardArn))).toEqual({
      value: { 'Fn::FindInMap': ['RegionConfig', ref('AWS::Region'), 'SecurityHubStandardArn'] },
    });
    expect(resources.FoundationalStandard!.DependsOn).toBe('SecurityHub');
  });

  test('the WAF web ACL is regional with a rate rule and the three AWS managed rule groups, metrics on every rule', () => {
    const p = props('WebAcl');
    expect(p.Scope).toBe('REGIONAL');
    expect(p.Rules.map((r: Json) => r.Name)).toEqual([
      'RateLimitPerIp',
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    expect(p.Rules[0].Statement.RateBasedStatement).toEqual({ Limit: 2000, AggregateKeyType: 'IP' });
    for (const r of [...p.Rules, p]) expect(r.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
    expect(props('WebAclLogging').LogDestinationConfigs).toEqual([
      sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:aws-waf-logs-${NamePrefix}-api'),
    ]);
    expect(props('WebAclLogGroup').LogGroupName).toEqual(sub('aws-waf-logs-${NamePrefix}-api'));
  });

  test('the common rule set only counts bodies over 8 KB: /ingest accepts 500-event batches (~100 KB)', () => {
    const crs = props('WebAcl').Rules.find((r: Json) => r.Name === 'AWSManagedRulesCommonRuleSet');
    expect(crs.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
  });

  test('every log group is encrypted with LogsKey', () => {
    for (const [, g] of ofType('AWS::Logs::LogGroup')) expect(g.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': ['LogsKey', 'Arn'] });
  });

  test('declares every contract output and wires every parameter without a default', () => {
    for (const o of security.outputs) expect(doc.Outputs[o]).toBeDefined();
    expect(security.outputs).toHaveLength(19);
    for (const [name, p] of Object.entries(doc.Parameters as Record<string, Json>))
      if (p.Default === undefined) expect(Object.keys(security.inputs)).toContain(name);
  });

  test('Metadata.Roadmap maps every bullet of step 9 and the SNS topics bullet of step 8', () => {
    const expected = [...ROADMAP.find((s) => s.step === 9)!.bullets.map((b) => b.id), '8.3'];
    expect(Object.keys(doc.Metadata.Roadmap)).toEqual(expect.arrayContaining(expected));
    for (const id of expected) for (const r of doc.Metadata.Roadmap[id].Resources) expect(resources[r]).toBeDefined();
  });
});
