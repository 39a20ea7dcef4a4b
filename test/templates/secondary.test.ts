import { dataLake } from '../../templates-src/data-lake';
import { datastores } from '../../templates-src/datastores';
import { networking } from '../../templates-src/networking';
import { canonicalize } from '../../templates-src/lib/yaml';
import { INGEST_REQUEST_TEMPLATE } from '../../templates-src/lib/ingest';
import { ROOT_PARAMETERS } from '../../templates-src/parameters';
import { secondary } from '../../templates-src/secondary';
import { SIGV4_ERROR_TYPES } from '../../templates-src/lib/standby';
import { API_STAGE } from '../../templates-src/streaming';

type Json = Record<string, any>;
const doc = canonicalize(secondary.build()) as Json;
const resources = doc.Resources as Record<string, Json>;
const datastoresDoc = canonicalize(datastores.build()) as Json;

describe('secondary.yaml', () => {
  test('is a self-contained top-level template: every parameter without a default is a deployer input', () => {
    const required = Object.entries(doc.Parameters as Record<string, Json>)
      .filter(([, p]) => p.Default === undefined)
      .map(([n]) => n);
    expect(required.sort()).toEqual(['Environment', 'NamePrefix', 'PrimaryRegion']);
    expect(secondary.inputs).toEqual({});
  });

  test('the replica key rotates, is retained and lets S3, DynamoDB, Kinesis, Backup, SNS, Logs and the standby alarms use it', () => {
    const key = resources.ReplicaKey!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('RetainExceptOnCreate');
    const sids = key.Properties.KeyPolicy.Statement.map((s: Json) => s.Sid);
    expect(sids).toEqual([
      'AccountAdministers',
      'AllowUseThroughS3',
      'AllowUseThroughDynamoDB',
      'AllowUseThroughKinesis',
      'AllowUseThroughBackup',
      'AllowUseThroughSNS',
      'AllowCloudWatchLogs',
      'AllowCloudWatchAlarmsToPublish',
    ]);
    expect(doc.Outputs.ReplicaKmsKeyArn.Value).toEqual({ 'Fn::GetAtt': ['ReplicaKey', 'Arn'] });
  });

  test.each([
    ['RawReplicaBucket', '${NamePrefix}-raw-${AWS::AccountId}-${AWS::Region}'],
    ['ProcessedReplicaBucket', '${NamePrefix}-processed-${AWS::AccountId}-${AWS::Region}'],
  ])('%s is named %s, versioned, encrypted with the replica key and TLS-only', (id, name) => {
    const p = resources[id]!.Properties;
    expect(p.BucketName).toEqual({ 'Fn::Sub': name });
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: { 'Fn::GetAtt': ['ReplicaKey', 'Arn'] },
    });
    expect(p.PublicAccessBlockConfiguration.BlockPublicPolicy).toBe(true);
    expect(resources[`${id}Policy`]!.Properties.PolicyDocument.Statement[0].Sid).toBe('DenyInsecureTransport');
    expect(resources[id]!.DeletionPolicy).toBe('RetainExceptOnCreate');
  });

  test('the backup vault has the name the primary copies to, encrypted with the replica key', () => {
    const vault = resources.SecondaryBackupVault!.Properties;
    expect(vault.BackupVaultName).toEqual({ 'Fn::Sub': '${NamePrefix}-secondary' });
    expect(vault.EncryptionKeyArn).toEqual({ 'Fn::GetAtt': ['ReplicaKey', 'Arn'] });
    const copy = datastoresDoc.Resources.BackupPlan.Properties.BackupPlan.BackupPlanRule[0].CopyActions['Fn::If'][1][0];
    expect(copy.DestinationBackupVaultArn['Fn::Sub']).toMatch(/:backup-vault:\$\{NamePrefix\}-secondary$/);
  });

  describe('standby ingestion', () => {
    test('the standby stream is KMS-encrypted, on-demand, keeps a week and is retained', () => {
      const s = resources.StandbyStream!;
      expect(s.Properties.StreamEncryption).toEqual({ EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': ['ReplicaKey', 'Arn'] } });
      expect(s.Properties.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
      expect(s.Properties.RetentionPeriodHours).toBe(168);
      expect(s.DeletionPolicy).toBe('RetainExceptOnCreate');
    });
    test('POST /ingest uses the primary contract (same mapping) into the standby stream, SigV4-authorised', () => {
      const m = resources.StandbyIngestMethod!.Properties;
      expect(m.AuthorizationType).toBe('AWS_IAM');
      expect(m.Integration.Uri).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}:kinesis:action/PutRecords' });
      expect(m.Integration.RequestTemplates['application/json']).toEqual({ 'Fn::Sub': [INGEST_REQUEST_TEMPLATE, { StreamName: { Ref: 'StandbyStream' } }] });
      const statements = resources.StandbyIntegrationRole!.Properties.Policies[0].PolicyDocument.Statement;
      expect(statements[0]).toEqual({ Effect: 'Allow', Action: ['kinesis:PutRecords'], Resource: { 'Fn::GetAtt': ['StandbyStream', 'Arn'] } });
    });
    test('GET /health answers without authorisation for Route 53', () => {
      expect(resources.StandbyHealthMethod!.Properties.AuthorizationType).toBe('NONE');
    });
    test('the stage logs to an encrypted log group, traces and is behind WAF', () => {
      const stage = resources.StandbyApiStage!.Properties;
      expect(stage.TracingEnabled).toBe(true);
      expect(stage.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': ['StandbyApiAccessLogs', 'Arn'] });
      expect(resources.StandbyApiAccessLogs!.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': ['ReplicaKey', 'Arn'] });
      expect(resources.StandbyWebAclAssociation!.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': ['WebAcl', 'Arn'] });
    });
  });

  describe('failover', () => {
    test.each(['StandbyApiDomain', 'StandbyBasePathMapping', 'SecondaryFailoverRecord'])('%s exists only under HasFailover', (id) => {
      expect(resources[id]!.Condition).toBe('HasFailover');
    });
    test('HasFailover needs the zone, the domain and a certificate', () => {
      expect(doc.Conditions.HasFailover['Fn::And']).toHaveLength(3);
    });
    test("the standby domain uses a certificate of its own region, a parameter whose name is not the primary's (the deploy tool passes same-named root values)", () => {
      expect(resources.StandbyApiDomain!.Properties.RegionalCertificateArn).toEqual({ Ref: 'StandbyApiCertificateArn' });
      expect(doc.Parameters.ApiCertificateArn).toBeUndefined();
      expect(ROOT_PARAMETERS.StandbyApiCertificateArn).toBeDefined();
    });
    test('the SECONDARY record aliases the standby custom domain', () => {
      const r = resources.SecondaryFailoverRecord!.Properties;
      expect(r.Failover).toBe('SECONDARY');
      expect(r.Name).toEqual({ Ref: 'ApiDomainName' });
      expect(r.Type).toBe('A');
      expect(r.AliasTarget).toEqual({
        DNSName: { 'Fn::GetAtt': ['StandbyApiDomain', 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': ['StandbyApiDomain', 'RegionalHostedZoneId'] },
        EvaluateTargetHealth: false,
      });
    });
  });

  describe('agrees with the primary stacks', () => {
    const dataLakeDoc = canonicalize(dataLake.build()) as Json;
    const networkingDoc = canonicalize(networking.build()) as Json;
    /** A !Sub text with the region variables resolved, as CloudFormation would in each region. */
    const resolve = (text: string, region: string) => text.replace('${SecondaryRegion}', region).replace('${AWS::Region}', region);

    test.each([
      ['RawReplicaBucketArn', 'RawReplicaBucket'],
      ['ProcessedReplicaBucketArn', 'ProcessedReplicaBucket'],
    ])("data-lake's replication target %s is the bucket %s creates", (output, bucket) => {
      const target = dataLakeDoc.Outputs[output].Value['Fn::Sub'] as string;
      const name = resources[bucket]!.Properties.BucketName['Fn::Sub'] as string;
      expect(resolve(target, 'us-west-2')).toBe(resolve(`arn:\${AWS::Partition}:s3:::${name}`, 'us-west-2'));
    });

    test("the SECONDARY record pairs with networking's PRIMARY record", () => {
      const primary = networkingDoc.Resources.ApiFailoverRecord.Properties;
      const secondaryRecord = resources.SecondaryFailoverRecord!.Properties;
      expect(primary.Failover).toBe('PRIMARY');
      expect(secondaryRecord.Name).toEqual(primary.Name);
      expect(secondaryRecord.Type).toBe(primary.Type);
      expect(secondaryRecord.SetIdentifier).not.toEqual(primary.SetIdentifier);
    });

    test("the standby API serves the primary's paths (stage and resources)", () => {
      expect(resources.StandbyApiStage!.Properties.StageName).toBe(API_STAGE);
      expect(resources.StandbyHealthResource!.Properties.PathPart).toBe('health');
      expect(resources.StandbyIngestResource!.Properties.PathPart).toBe('ingest');
    });
  });

  test('the account-level API Gateway logging role of this region is set only under ManageStandbyApiGatewayAccount', () => {
    for (const id of ['StandbyApiAccount', 'StandbyApiCloudWatchRole']) expect(resources[id]!.Condition).toBe('ManagesApiGatewayAccount');
    expect(doc.Parameters.ManageStandbyApiGatewayAccount.Default).toBe('true');
    expect(resources.StandbyApiStage!.Metadata.AfterApiGatewayAccount).toEqual({
      'Fn::If': ['ManagesApiGatewayAccount', { Ref: 'StandbyApiAccount' }, 'not created here'],
    });
  });

  test('a client sending a Cognito token to the standby gets a 403 that says to sign with SigV4, in a header a program can test', () => {
    for (const type of SIGV4_ERROR_TYPES) {
      const [, response] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::ApiGateway::GatewayResponse' && r.Properties.ResponseType === type)!;
      expect(response.Properties).toMatchObject({ RestApiId: { Ref: 'StandbyApi' }, StatusCode: '403' });
      expect(response.Properties.ResponseParameters['gatewayresponse.header.X-Ingest-Auth']).toBe("'aws-sigv4'");
      const template = response.Properties.ResponseTemplates['application/json']['Fn::Sub'] as string;
      expect(JSON.parse(template.replace('${AWS::Region}', 'us-west-2')).error.message).toMatch(/SigV4 for service execute-api in us-west-2/);
    }
  });

  test('the standby stream has an iterator-age alarm, and traffic arriving there pages through the standby ops topic', () => {
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace === 'AWS/Kinesis');
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual(['GetRecords.IteratorAgeMilliseconds', 'IncomingRecords']);
    for (const a of alarms) {
      expect(a.Properties.Dimensions).toEqual([{ Name: 'StreamName', Value: { Ref: 'StandbyStream' } }]);
      expect(a.Properties.AlarmActions).toEqual([{ Ref: 'StandbyOpsTopic' }]);
    }
    expect(resources.StandbyOpsTopic!.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['ReplicaKey', 'Arn'] });
    expect(resources.StandbyOpsTopicEmailSubscription!.Condition).toBe('HasAlertEmail');
  });

  test('declares every promised output', () => {
    for (const o of secondary.outputs) expect(doc.Outputs).toHaveProperty(o);
  });

  test.each([
    ['10.1', ['ReplicaKey', 'RawReplicaBucket', 'ProcessedReplicaBucket']],
    ['10.3', ['StandbyApi', 'StandbyIngestMethod', 'SecondaryFailoverRecord']],
    ['10.4', ['SecondaryBackupVault']],
  ])('roadmap bullet %s maps to %j', (bullet, ids) => {
    expect(doc.Metadata.Roadmap[bullet].Resources).toEqual(expect.arrayContaining(ids));
  });
});
