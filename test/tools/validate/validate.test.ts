import { formatFinding, validateTemplates, type Finding } from '../../../tools/lib/validate';
import { fixture, REGISTRY, type Doc, type FixtureSet } from './fixture';

function run(plant: (set: FixtureSet) => void, options: Parameters<typeof validateTemplates>[2] = {}): Finding[] {
  const set = fixture();
  plant(set);
  return validateTemplates(set.files, REGISTRY, options).findings;
}

function errors(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'error');
}

const res = (doc: Doc, id: string): Doc => doc.Resources[id];
const props = (doc: Doc, id: string): Doc => doc.Resources[id].Properties;

test('the compliant fixture set has no findings at all', () => {
  expect(run(() => undefined)).toEqual([]);
});

interface Planted {
  readonly rule: string;
  readonly file: string;
  readonly logicalId: string;
  readonly path?: string;
  readonly message: RegExp;
  readonly fix?: RegExp;
}

describe('planted mistakes fail with the right rule and message', () => {
  const cases: [string, (s: FixtureSet) => void, Planted][] = [
    [
      'a misspelled property',
      (s) => {
        const p = props(s.storage, 'DataBucket');
        p.VersioningConfiguraton = p.VersioningConfiguration;
        delete p.VersioningConfiguration;
      },
      {
        rule: 'spec-property',
        file: 'storage.yaml',
        logicalId: 'DataBucket',
        path: 'Properties.VersioningConfiguraton',
        message: /AWS::S3::Bucket has no property VersioningConfiguraton/,
        fix: /did you mean VersioningConfiguration\?/,
      },
    ],
    [
      'a misspelled nested property',
      (s) => {
        props(s.storage, 'Table').KeySchema[0].KeyTyp = 'HASH';
        delete props(s.storage, 'Table').KeySchema[0].KeyType;
      },
      {
        rule: 'spec-property',
        file: 'storage.yaml',
        logicalId: 'Table',
        path: 'Properties.KeySchema[0].KeyTyp',
        message: /KeySchema has no property KeyTyp/,
        fix: /did you mean KeyType\?/,
      },
    ],
    [
      'a missing required property',
      (s) => delete props(s.compute, 'EnricherRole').AssumeRolePolicyDocument,
      {
        rule: 'spec-required',
        file: 'compute.yaml',
        logicalId: 'EnricherRole',
        path: 'Properties.AssumeRolePolicyDocument',
        message: /AWS::IAM::Role requires AssumeRolePolicyDocument/,
      },
    ],
    [
      'a missing required nested property',
      (s) => delete props(s.storage, 'Table').KeySchema[0].AttributeName,
      {
        rule: 'spec-required',
        file: 'storage.yaml',
        logicalId: 'Table',
        path: 'Properties.KeySchema[0].AttributeName',
        message: /KeySchema requires AttributeName/,
      },
    ],
    [
      'an unknown resource type',
      (s) => (res(s.storage, 'AlertsTopic').Type = 'AWS::SNS::Topics'),
      {
        rule: 'spec-resource-type',
        file: 'storage.yaml',
        logicalId: 'AlertsTopic',
        path: 'Type',
        message: /AWS::SNS::Topics does not exist/,
        fix: /did you mean AWS::SNS::Topic\?/,
      },
    ],
    [
      'a string where the spec wants a list',
      (s) => (props(s.compute, 'EnricherFunction').Architectures = 'arm64'),
      {
        rule: 'spec-type',
        file: 'compute.yaml',
        logicalId: 'EnricherFunction',
        path: 'Properties.Architectures',
        message: /expected a list of strings, got a string \("arm64"\)/,
      },
    ],
    [
      'a string where the spec wants an object',
      (s) => (props(s.compute, 'EnricherFunction').TracingConfig = 'Active'),
      {
        rule: 'spec-type',
        file: 'compute.yaml',
        logicalId: 'EnricherFunction',
        path: 'Properties.TracingConfig',
        message: /expected an object \(TracingConfig\)/,
      },
    ],
    [
      'a dangling !Ref',
      (s) => (props(s.compute, 'EnricherMapping').FunctionName = { Ref: 'EnricherFunctoin' }),
      {
        rule: 'ref-target',
        file: 'compute.yaml',
        logicalId: 'EnricherMapping',
        path: 'Properties.FunctionName',
        message: /!Ref EnricherFunctoin names no parameter, resource or pseudo parameter/,
        fix: /did you mean EnricherFunction\?/,
      },
    ],
    [
      'a !GetAtt on a missing resource',
      (s) => (s.storage.Outputs.StreamArn.Value = { 'Fn::GetAtt': ['Streams', 'Arn'] }),
      { rule: 'getatt-target', file: 'storage.yaml', logicalId: 'StreamArn', path: 'Value', message: /!GetAtt Streams\.… names no resource/ },
    ],
    [
      'a !Sub with an unknown variable',
      (s) => (props(s.compute, 'EnricherLogGroup').LogGroupName = { 'Fn::Sub': '/aws/lambda/${NamePrefx}-enricher' }),
      {
        rule: 'sub-variable',
        file: 'compute.yaml',
        logicalId: 'EnricherLogGroup',
        path: 'Properties.LogGroupName',
        message: /\$\{NamePrefx\} resolves to no parameter, resource or variable/,
        fix: /did you mean NamePrefix\?/,
      },
    ],
    [
      'a !Sub with an unknown pseudo parameter',
      (s) => (props(s.storage, 'DataBucket').BucketName = { 'Fn::Sub': '${NamePrefix}-data-${AWS::Account}' }),
      {
        rule: 'sub-variable',
        file: 'storage.yaml',
        logicalId: 'DataBucket',
        path: 'Properties.BucketName',
        message: /\$\{AWS::Account\} is not a pseudo parameter/,
        fix: /did you mean AWS::AccountId\?/,
      },
    ],
    [
      'a bad !GetAtt attribute',
      (s) => (s.storage.Outputs.StreamArn.Value = { 'Fn::GetAtt': ['Stream', 'StreamArn'] }),
      {
        rule: 'spec-getatt',
        file: 'storage.yaml',
        logicalId: 'StreamArn',
        path: 'Value',
        message: /AWS::Kinesis::Stream has no attribute StreamArn/,
        fix: /Arn/,
      },
    ],
    [
      'a bad attribute in a !Sub variable',
      (s) => (props(s.storage, 'LogsBucketPolicy').PolicyDocument.Statement[0].Resource[1] = { 'Fn::Sub': '${LogsBucket.Arm}/*' }),
      { rule: 'spec-getatt', file: 'storage.yaml', logicalId: 'LogsBucketPolicy', message: /AWS::S3::Bucket has no attribute Arm/, fix: /did you mean Arn\?/ },
    ],
    [
      'an undeclared condition',
      (s) => (res(s.storage, 'AlertsTopic').Condition = 'IsProduction'),
      { rule: 'condition-exists', file: 'storage.yaml', logicalId: 'AlertsTopic', path: 'Condition', message: /condition IsProduction is not declared/ },
    ],
    [
      'an undeclared condition in !If',
      (s) => (props(s.storage, 'Stream').RetentionPeriodHours = { 'Fn::If': ['Prod', 168, 24] }),
      { rule: 'condition-exists', file: 'storage.yaml', logicalId: 'Stream', message: /condition Prod is not declared/ },
    ],
    [
      'a !FindInMap top-level key that does not exist',
      (s) => (res(s.root, 'Compute').Properties.Parameters.SecondaryRegion = { 'Fn::FindInMap': ['RegionPairs', 'eu-west-1', 'Secondary'] }),
      { rule: 'find-in-map', file: 'root.yaml', logicalId: 'Compute', message: /mapping RegionPairs has no key eu-west-1/ },
    ],
    [
      'a !FindInMap on a missing mapping',
      (s) => (res(s.root, 'Compute').Properties.Parameters.SecondaryRegion = { 'Fn::FindInMap': ['RegionPair', { Ref: 'AWS::Region' }, 'Secondary'] }),
      { rule: 'find-in-map', file: 'root.yaml', logicalId: 'Compute', message: /mapping RegionPair, which is not declared/, fix: /did you mean RegionPairs\?/ },
    ],
    [
      'a DependsOn on a missing resource',
      (s) => (res(s.compute, 'EnricherFunction').DependsOn = ['EnricherLogGroup', 'EnricherLogs']),
      { rule: 'depends-on', file: 'compute.yaml', logicalId: 'EnricherFunction', path: 'DependsOn', message: /DependsOn EnricherLogs names no resource/ },
    ],
    [
      'an unpassed child parameter without a default',
      (s) => delete res(s.root, 'Compute').Properties.Parameters.StreamArn,
      {
        rule: 'contract-missing-parameter',
        file: 'root.yaml',
        logicalId: 'Compute',
        path: 'Properties.Parameters.StreamArn',
        message: /compute\.yaml declares parameter StreamArn without a Default, and root does not pass it/,
      },
    ],
    [
      'a passed parameter the child does not declare',
      (s) => (res(s.root, 'Storage').Properties.Parameters.Enviroment = 'dev'),
      {
        rule: 'contract-unknown-parameter',
        file: 'root.yaml',
        logicalId: 'Storage',
        path: 'Properties.Parameters.Enviroment',
        message: /root passes Enviroment, which storage\.yaml does not declare/,
        fix: /did you mean Environment\?/,
      },
    ],
    [
      'a root GetAtt to an output the child lacks',
      (s) => (s.root.Outputs.DataBucketName.Value = { 'Fn::GetAtt': ['Storage', 'Outputs.DataBucketArn'] }),
      {
        rule: 'contract-output',
        file: 'root.yaml',
        logicalId: 'DataBucketName',
        path: 'Value',
        message: /reads Storage\.Outputs\.DataBucketArn, which storage\.yaml does not declare/,
      },
    ],
    [
      'a promised output the child does not declare',
      (s) => delete s.compute.Outputs.EnricherFunctionArn,
      {
        rule: 'contract-promised-output',
        file: 'compute.yaml',
        logicalId: 'EnricherFunctionArn',
        message: /registry entry Compute promises output EnricherFunctionArn, but compute\.yaml does not declare it/,
      },
    ],
    [
      'a TemplateURL that is not ./<file>',
      (s) => (res(s.root, 'Storage').Properties.TemplateURL = 'https://bucket.s3.amazonaws.com/storage.yaml'),
      { rule: 'contract-template-url', file: 'root.yaml', logicalId: 'Storage', path: 'Properties.TemplateURL', message: /expected \.\/storage\.yaml/ },
    ],
    [
      'a nested template that does not exist',
      (s) =>
        s.files.splice(
          s.files.findIndex((f) => f.file === 'compute.yaml'),
          1,
        ),
      { rule: 'contract-template-url', file: 'root.yaml', logicalId: 'Compute', message: /TemplateURL \.\/compute\.yaml names a template that does not exist/ },
    ],
    [
      'an exported output',
      (s) => (s.storage.Outputs.StreamArn.Export = { Name: 'stream-arn' }),
      { rule: 'contract-no-export', file: 'storage.yaml', logicalId: 'StreamArn', path: 'Export', message: /output is exported/ },
    ],
    [
      'an !ImportValue',
      (s) => (props(s.compute, 'EnricherMapping').EventSourceArn = { 'Fn::ImportValue': 'stream-arn' }),
      {
        rule: 'contract-no-export',
        file: 'compute.yaml',
        logicalId: 'EnricherMapping',
        path: 'Properties.EventSourceArn',
        message: /!ImportValue couples this stack/,
      },
    ],
    [
      'a public bucket (public access block false)',
      (s) => (props(s.storage, 'DataBucket').PublicAccessBlockConfiguration.BlockPublicPolicy = false),
      {
        rule: 's3-public-access-block',
        file: 'storage.yaml',
        logicalId: 'DataBucket',
        message: /public access is not fully blocked \(BlockPublicPolicy not true\)/,
      },
    ],
    [
      'an unencrypted bucket',
      (s) => delete props(s.storage, 'DataBucket').BucketEncryption,
      { rule: 's3-bucket-encryption', file: 'storage.yaml', logicalId: 'DataBucket', message: /bucket has no default encryption configuration/ },
    ],
    [
      'SSE-S3 on a data bucket',
      (s) => (props(s.storage, 'DataBucket').BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault = { SSEAlgorithm: 'AES256' }),
      {
        rule: 's3-bucket-encryption',
        file: 'storage.yaml',
        logicalId: 'DataBucket',
        message: /SSEAlgorithm "AES256" on a bucket that is not an access-log target/,
      },
    ],
    [
      'SSE-KMS with the AWS managed key',
      (s) => delete props(s.storage, 'DataBucket').BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID,
      { rule: 's3-bucket-encryption', file: 'storage.yaml', logicalId: 'DataBucket', message: /AWS managed aws\/s3 key/ },
    ],
    [
      'a bucket without a TLS-only policy',
      (s) => delete s.storage.Resources.DataBucketPolicy,
      { rule: 's3-tls-only', file: 'storage.yaml', logicalId: 'DataBucket', message: /no bucket policy denies non-TLS requests/ },
    ],
    [
      'an unversioned data bucket',
      (s) => delete props(s.storage, 'DataBucket').VersioningConfiguration,
      { rule: 's3-versioning', file: 'storage.yaml', logicalId: 'DataBucket', message: /data bucket is not versioned/ },
    ],
    [
      'a wildcard IAM action (s3:*)',
      (s) => (props(s.compute, 'EnricherRole').Policies[0].PolicyDocument.Statement[2].Action = ['s3:*']),
      {
        rule: 'iam-no-wildcard-actions',
        file: 'compute.yaml',
        logicalId: 'EnricherRole',
        path: 'Properties.Policies[0].PolicyDocument.Statement[2].Action',
        message: /wildcard action s3:\* in an Allow statement/,
      },
    ],
    [
      'a bare * action',
      (s) => (props(s.compute, 'EnricherRole').Policies[0].PolicyDocument.Statement[0].Action = '*'),
      { rule: 'iam-no-wildcard-actions', file: 'compute.yaml', logicalId: 'EnricherRole', message: /wildcard action \* in an Allow statement/ },
    ],
    [
      'a FullAccess managed policy',
      (s) => (props(s.compute, 'EnricherRole').ManagedPolicyArns = [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonS3FullAccess' }]),
      {
        rule: 'iam-no-wildcard-actions',
        file: 'compute.yaml',
        logicalId: 'EnricherRole',
        path: 'Properties.ManagedPolicyArns[0]',
        message: /AWS managed policy AmazonS3FullAccess grants wildcard access/,
      },
    ],
    [
      'kms:* in a key policy outside the root-admin statement',
      (s) => (props(s.storage, 'DataKey').KeyPolicy.Statement[1].Action = 'kms:*'),
      {
        rule: 'iam-no-wildcard-actions',
        file: 'storage.yaml',
        logicalId: 'DataKey',
        path: 'Properties.KeyPolicy.Statement[1].Action',
        message: /wildcard action kms:\*/,
      },
    ],
    [
      'an ESM without bisect',
      (s) => delete props(s.compute, 'EnricherMapping').BisectBatchOnFunctionError,
      {
        rule: 'lambda-esm-failure-handling',
        file: 'compute.yaml',
        logicalId: 'EnricherMapping',
        path: 'Properties.BisectBatchOnFunctionError',
        message: /does not bisect a failing batch/,
      },
    ],
    [
      'an ESM with unbounded retries',
      (s) => (props(s.compute, 'EnricherMapping').MaximumRetryAttempts = -1),
      {
        rule: 'lambda-esm-failure-handling',
        file: 'compute.yaml',
        logicalId: 'EnricherMapping',
        path: 'Properties.MaximumRetryAttempts',
        message: /retries are unbounded/,
      },
    ],
    [
      'an ESM without an on-failure destination',
      (s) => delete props(s.compute, 'EnricherMapping').DestinationConfig,
      { rule: 'lambda-esm-failure-handling', file: 'compute.yaml', logicalId: 'EnricherMapping', message: /no on-failure destination/ },
    ],
    [
      'an ESM without ReportBatchItemFailures',
      (s) => delete props(s.compute, 'EnricherMapping').FunctionResponseTypes,
      { rule: 'lambda-esm-failure-handling', file: 'compute.yaml', logicalId: 'EnricherMapping', message: /does not report batch item failures/ },
    ],
    [
      'a 0.0.0.0/0 SSH ingress',
      (s) => props(s.compute, 'EndpointSecurityGroup').SecurityGroupIngress.push({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' }),
      {
        rule: 'ec2-no-open-ingress',
        file: 'compute.yaml',
        logicalId: 'EndpointSecurityGroup',
        path: 'Properties.SecurityGroupIngress[1]',
        message: /ingress from 0\.0\.0\.0\/0 on port 22/,
      },
    ],
    [
      'a ::/0 all-ports ingress resource',
      (s) =>
        (s.compute.Resources.OpenIngress = {
          Type: 'AWS::EC2::SecurityGroupIngress',
          Properties: { GroupId: { Ref: 'EndpointSecurityGroup' }, IpProtocol: '-1', CidrIpv6: '::/0' },
        }),
      { rule: 'ec2-no-open-ingress', file: 'compute.yaml', logicalId: 'OpenIngress', message: /ingress from ::\/0 on all ports/ },
    ],
    [
      '443 from anywhere on a group that is not allow-listed',
      (s) => (props(s.compute, 'EndpointSecurityGroup').SecurityGroupIngress[0].CidrIp = '0.0.0.0/0'),
      {
        rule: 'ec2-no-open-ingress',
        file: 'compute.yaml',
        logicalId: 'EndpointSecurityGroup',
        message: /not a declared public entry point/,
        fix: /publicIngressAllowList/,
      },
    ],
    [
      'a function without a log group',
      (s) => delete s.compute.Resources.EnricherLogGroup && delete res(s.compute, 'EnricherFunction').DependsOn,
      { rule: 'lambda-log-group', file: 'compute.yaml', logicalId: 'EnricherFunction', message: /no log group for this function/ },
    ],
    [
      'a function without active tracing',
      (s) => delete props(s.compute, 'EnricherFunction').TracingConfig,
      { rule: 'lambda-tracing', file: 'compute.yaml', logicalId: 'EnricherFunction', message: /active tracing is off/ },
    ],
    [
      'a log group without retention',
      (s) => delete props(s.compute, 'EnricherLogGroup').RetentionInDays,
      { rule: 'logs-retention', file: 'compute.yaml', logicalId: 'EnricherLogGroup', message: /keeps events forever/ },
    ],
    [
      'a log group without a KMS key',
      (s) => delete props(s.compute, 'EnricherLogGroup').KmsKeyId,
      { rule: 'logs-kms', file: 'compute.yaml', logicalId: 'EnricherLogGroup', message: /not encrypted with our KMS key/ },
    ],
    [
      'a KMS key without rotation',
      (s) => (props(s.storage, 'DataKey').EnableKeyRotation = false),
      { rule: 'kms-rotation', file: 'storage.yaml', logicalId: 'DataKey', message: /key rotation is not enabled/ },
    ],
    [
      'a table with the AWS owned key',
      (s) => delete props(s.storage, 'Table').SSESpecification,
      { rule: 'dynamodb-kms', file: 'storage.yaml', logicalId: 'Table', message: /not encrypted with KMS/ },
    ],
    [
      'a table without PITR',
      (s) => delete props(s.storage, 'Table').PointInTimeRecoverySpecification,
      { rule: 'dynamodb-pitr', file: 'storage.yaml', logicalId: 'Table', message: /point-in-time recovery is not enabled/ },
    ],
    [
      'an unencrypted stream',
      (s) => delete props(s.storage, 'Stream').StreamEncryption,
      { rule: 'kinesis-kms', file: 'storage.yaml', logicalId: 'Stream', message: /stream is not KMS-encrypted/ },
    ],
    [
      'a queue with the AWS managed key',
      (s) => (props(s.storage, 'EnricherDlq').KmsMasterKeyId = 'alias/aws/sqs'),
      { rule: 'sqs-kms', file: 'storage.yaml', logicalId: 'EnricherDlq', message: /alias\/aws\/sqs is an AWS managed key/ },
    ],
    [
      'an unencrypted topic',
      (s) => delete props(s.storage, 'AlertsTopic').KmsMasterKeyId,
      { rule: 'sns-kms', file: 'storage.yaml', logicalId: 'AlertsTopic', message: /no KMS key is set/ },
    ],
    [
      'a dead-letter queue without an alarm',
      (s) => delete s.storage.Resources.EnricherDlqDepthAlarm,
      { rule: 'sqs-dlq-alarm', file: 'storage.yaml', logicalId: 'EnricherDlq', message: /dead-letter queue has no alarm/ },
    ],
    [
      'a stateful resource without DeletionPolicy',
      (s) => delete res(s.storage, 'Table').DeletionPolicy,
      {
        rule: 'stateful-retention',
        file: 'storage.yaml',
        logicalId: 'Table',
        path: 'DeletionPolicy',
        message: /stateful AWS::DynamoDB::Table has no DeletionPolicy/,
      },
    ],
    [
      'over 500 resources',
      (s) => {
        for (let i = 0; i < 501; i++) s.storage.Resources[`Handle${i}`] = { Type: 'AWS::CloudFormation::WaitConditionHandle' };
      },
      {
        rule: 'limit-resources',
        file: 'storage.yaml',
        logicalId: '(template)',
        path: 'Resources',
        message: /511 resources; CloudFormation allows at most 500 per template/,
      },
    ],
    [
      'over 200 outputs',
      (s) => {
        for (let i = 0; i < 201; i++) s.compute.Outputs[`Out${i}`] = { Value: 'x' };
      },
      { rule: 'limit-outputs', file: 'compute.yaml', logicalId: '(template)', message: /203 outputs/ },
    ],
    [
      'a logical ID with a dash',
      (s) => (s.compute.Outputs['Enricher-Arn'] = { Value: 'x' }),
      { rule: 'limit-logical-id', file: 'compute.yaml', logicalId: 'Enricher-Arn', message: /must be alphanumeric/, fix: /EnricherArn/ },
    ],
    [
      'a template body over 1 MB',
      (s) => (s.files[1] = { ...s.files[1]!, text: 'x'.repeat(1_000_001) }),
      { rule: 'limit-template-size', file: 'storage.yaml', logicalId: '(template)', message: /1000001 bytes; CloudFormation accepts at most 1000000/ },
    ],
    [
      'a key that is not a resource attribute',
      (s) => (res(s.storage, 'Stream').Propreties = {}),
      {
        rule: 'resource-attribute',
        file: 'storage.yaml',
        logicalId: 'Stream',
        path: 'Propreties',
        message: /Propreties is not a resource attribute/,
        fix: /did you mean Properties\?/,
      },
    ],
  ];

  test.each(cases)('%s', (_name, plant, expected) => {
    const found = errors(run(plant));
    const match = found.find(
      (f) =>
        f.rule === expected.rule &&
        f.file === expected.file &&
        f.logicalId === expected.logicalId &&
        (expected.path === undefined || f.path === expected.path) &&
        expected.message.test(f.message) &&
        (expected.fix === undefined || expected.fix.test(f.fix)),
    );
    if (!match)
      throw new Error(
        `expected ${expected.rule} on ${expected.file} ${expected.logicalId}; got:\n${found.map((f) => formatFinding(f)).join('\n') || '(no errors)'}`,
      );
    // one planted mistake does not cascade into unrelated errors in other files
    expect(found.filter((f) => f.file !== expected.file && f.rule !== expected.rule)).toEqual([]);
  });
});

describe('what the rules accept', () => {
  test.each<[string, (s: FixtureSet) => void]>([
    ['kms:* in the root-admin statement of a key policy', () => undefined],
    ['a Deny statement with s3:* (the TLS-only policy)', () => undefined],
    ['SSE-S3 on the access-log target bucket', () => undefined],
    ['${!Literal} escapes in !Sub', (s) => (s.compute.Outputs.Escaped.Value = { 'Fn::Sub': '${!NotAParameter}' })],
    ['a !Sub variable from the explicit variable map', (s) => (s.compute.Outputs.Escaped.Value = { 'Fn::Sub': ['${Suffix}-x', { Suffix: 'y' }] })],
    ['!Ref AWS::NoValue inside !If', (s) => (props(s.storage, 'Stream').RetentionPeriodHours = { 'Fn::If': ['IsProd', 168, { Ref: 'AWS::NoValue' }] })],
    ['a local package path as Lambda Code', () => undefined],
    ['a child parameter with a Default left out by root', (s) => delete res(s.root, 'Compute').Properties.Parameters.SecondaryRegion],
    [
      'an SQS event source without stream failure settings',
      (s) => {
        const p = props(s.compute, 'EnricherMapping');
        for (const k of [
          'StartingPosition',
          'FunctionResponseTypes',
          'BisectBatchOnFunctionError',
          'MaximumRetryAttempts',
          'MaximumRecordAgeInSeconds',
          'DestinationConfig',
        ])
          delete p[k];
        p.EventSourceArn = { Ref: 'DlqArn' };
      },
    ],
    [
      'a function logging to a group named by its logical ID',
      (s) => (props(s.compute, 'EnricherLogGroup').LogGroupName = { 'Fn::Sub': '/aws/lambda/${EnricherFunction}' }),
    ],
    [
      'a function with LoggingConfig.LogGroup',
      (s) => {
        delete s.compute.Resources.EnricherLogGroup;
        delete res(s.compute, 'EnricherFunction').DependsOn;
        props(s.compute, 'EnricherFunction').LoggingConfig = { LogGroup: { 'Fn::Sub': '${NamePrefix}-shared' } };
      },
    ],
  ])('%s', (_name, plant) => {
    expect(errors(run(plant)).map((f) => formatFinding(f))).toEqual([]);
  });

  test.each<[string, unknown, boolean]>([
    [
      'both branches KMS',
      {
        'Fn::If': [
          'IsProd',
          { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: 'DataKey' } },
          { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'arn:aws:kms:us-east-1:111111111111:key/x' },
        ],
      },
      true,
    ],
    ['one branch SSE-S3', { 'Fn::If': ['IsProd', { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: 'DataKey' } }, { SSEAlgorithm: 'AES256' }] }, false],
    ['one branch without a key', { 'Fn::If': ['IsProd', { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: 'DataKey' } }, { SSEAlgorithm: 'aws:kms' }] }, false],
  ])('!If inside a checked path is resolved both ways: %s', (_name, byDefault, compliant) => {
    const findings = errors(
      run((s) => (props(s.storage, 'DataBucket').BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault = byDefault)),
    );
    expect(findings.filter((f) => f.rule === 's3-bucket-encryption').length === 0).toBe(compliant);
  });

  test('!If on a whole checked block is resolved both ways', () => {
    const block = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };
    const compliant = run((s) => (props(s.storage, 'DataBucket').PublicAccessBlockConfiguration = { 'Fn::If': ['IsProd', block, block] }));
    expect(errors(compliant)).toEqual([]);
    const open = run((s) => (props(s.storage, 'DataBucket').PublicAccessBlockConfiguration = { 'Fn::If': ['IsProd', block, { Ref: 'AWS::NoValue' }] }));
    expect(errors(open)).toEqual([expect.objectContaining({ rule: 's3-public-access-block', logicalId: 'DataBucket' })]);
  });

  test('443 from anywhere is accepted on an allow-listed public entry point', () => {
    const findings = run((s) => (props(s.compute, 'EndpointSecurityGroup').SecurityGroupIngress[0].CidrIp = '0.0.0.0/0'), {
      security: { publicIngressAllowList: ['EndpointSecurityGroup'] },
    });
    expect(errors(findings)).toEqual([]);
  });

  test("a value outside the spec's allowed values is a warning (the spec may predate it)", () => {
    const findings = run((s) => (props(s.compute, 'EnricherFunction').TracingConfig.Mode = 'active'));
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          logicalId: 'EnricherFunction',
          path: 'Properties.TracingConfig.Mode',
          rule: 'spec-allowed-value',
          severity: 'warning',
          fix: 'did you mean Active?',
        }),
      ]),
    );
  });

  test.each<[string, (s: FixtureSet) => void, number]>([
    ['an unconditional output of a conditional resource warns', (s) => (res(s.storage, 'Stream').Condition = 'IsProd'), 1],
    [
      'the same condition on the output is fine',
      (s) => {
        res(s.storage, 'Stream').Condition = 'IsProd';
        s.storage.Outputs.StreamArn.Condition = 'IsProd';
      },
      0,
    ],
    [
      'the true branch of !If on the condition is fine',
      (s) => {
        res(s.storage, 'Stream').Condition = 'IsProd';
        s.storage.Outputs.StreamArn.Value = { 'Fn::If': ['IsProd', { 'Fn::GetAtt': ['Stream', 'Arn'] }, ''] };
      },
      0,
    ],
    [
      'the false branch of !If on the condition warns',
      (s) => {
        res(s.storage, 'Stream').Condition = 'IsProd';
        s.storage.Outputs.StreamArn.Value = { 'Fn::If': ['IsProd', '', { 'Fn::GetAtt': ['Stream', 'Arn'] }] };
      },
      1,
    ],
  ])('conditional references: %s', (_name, plant, warnings) => {
    const findings = run(plant).filter((f) => f.rule === 'conditional-reference');
    expect(findings).toHaveLength(warnings);
    for (const f of findings)
      expect(f).toEqual(
        expect.objectContaining({
          file: 'storage.yaml',
          logicalId: 'StreamArn',
          severity: 'warning',
          message: 'references Stream, which only exists under condition IsProd',
        }),
      );
  });

  test.each<[string, (s: FixtureSet) => void, number]>([
    ['read unguarded', () => undefined, 1],
    [
      'read inside !If',
      (s) => (s.root.Outputs.DataBucketName.Value = { 'Fn::If': ['IsProd', { 'Fn::GetAtt': ['Storage', 'Outputs.DataBucketName'] }, ''] }),
      0,
    ],
    ['read by a conditional output', (s) => (s.root.Outputs.DataBucketName.Condition = 'IsProd'), 0],
  ])('a conditional child output %s', (_name, plant, warnings) => {
    const findings = run((s) => {
      s.storage.Outputs.DataBucketName.Condition = 'IsProd';
      plant(s);
    });
    expect(findings.filter((f) => f.rule === 'contract-conditional-output')).toHaveLength(warnings);
    expect(errors(findings)).toEqual([]);
  });

  test('an unused parameter is a warning, not an error', () => {
    const findings = run((s) => (s.compute.Parameters.Unused = { Type: 'String', Default: 'x' }));
    expect(findings).toEqual([expect.objectContaining({ file: 'compute.yaml', logicalId: 'Unused', rule: 'unused-parameter', severity: 'warning' })]);
  });

  const moveAlarmToCompute = (s: FixtureSet, dimension: unknown): void => {
    const alarm = s.storage.Resources.EnricherDlqDepthAlarm;
    delete s.storage.Resources.EnricherDlqDepthAlarm;
    alarm.Properties.Dimensions[0].Value = dimension;
    alarm.Properties.AlarmActions = [];
    s.compute.Resources.DlqAlarm = alarm;
  };

  test('a DLQ alarmed in another stack through root wiring (output → parameter → alarm) passes', () => {
    expect(run((s) => moveAlarmToCompute(s, { Ref: 'DlqArn' }))).toEqual([]);
  });

  test('a DLQ whose alarm may live in another stack (not traceable) is a warning', () => {
    const findings = run((s) => moveAlarmToCompute(s, { 'Fn::Sub': '${NamePrefix}-enricher-dlq' }));
    expect(findings).toEqual([expect.objectContaining({ file: 'storage.yaml', logicalId: 'EnricherDlq', rule: 'sqs-dlq-alarm', severity: 'warning' })]);
  });
});

describe('suppressions (Metadata.Validate.Suppress)', () => {
  test('a suppressed violation with a reason is reported as info', () => {
    const findings = run((s) => {
      delete props(s.storage, 'DataBucket').VersioningConfiguration;
      res(s.storage, 'DataBucket').Metadata = { Validate: { Suppress: [{ Rule: 's3-versioning', Reason: 'scratch query results, rewritten by every run' }] } };
    });
    expect(findings).toEqual([
      expect.objectContaining({
        logicalId: 'DataBucket',
        rule: 's3-versioning',
        severity: 'info',
        message: expect.stringMatching(/^suppressed \(scratch query results/),
      }),
    ]);
  });

  test.each<[string, unknown, RegExp]>([
    ['without a reason', { Rule: 's3-versioning' }, /suppression of s3-versioning has no reason/],
    ['of an unknown rule', { Rule: 's3-versionning', Reason: 'a long enough reason' }, /"s3-versionning", which is not a security rule/],
  ])('a suppression %s is an error', (_name, entry, message) => {
    const findings = errors(run((s) => (res(s.storage, 'DataBucket').Metadata = { Validate: { Suppress: [entry] } })));
    expect(findings).toEqual([
      expect.objectContaining({ logicalId: 'DataBucket', rule: 'suppression', path: 'Metadata.Validate.Suppress[0]', message: expect.stringMatching(message) }),
    ]);
  });
});

test('every mistake is reported in one run', () => {
  const findings = errors(
    run((s) => {
      delete props(s.storage, 'DataBucket').BucketEncryption;
      props(s.compute, 'EnricherMapping').FunctionName = { Ref: 'Nope' };
      delete res(s.root, 'Compute').Properties.Parameters.DlqArn;
    }),
  );
  expect(new Set(findings.map((f) => f.rule))).toEqual(new Set(['s3-bucket-encryption', 'ref-target', 'contract-missing-parameter']));
});

test('formatFinding writes file, logical ID, path, rule, message and fix on one line', () => {
  const line = formatFinding({
    file: 'data-lake.yaml',
    logicalId: 'RawBucket',
    path: 'Properties.BucketEncryption',
    rule: 's3-bucket-encryption',
    severity: 'error',
    message: 'bucket has no default encryption configuration',
    fix: 'use encryptedBucket()',
  });
  expect(line).toBe(
    'generated/data-lake.yaml: RawBucket: Properties.BucketEncryption: s3-bucket-encryption: bucket has no default encryption configuration (use encryptedBucket())',
  );
  expect(formatFinding({ file: 'a.yaml', logicalId: 'P', path: '-', rule: 'unused-parameter', severity: 'warning', message: 'm', fix: 'f' }, 'out')).toBe(
    'out/a.yaml: P: -: unused-parameter: warning: m (f)',
  );
});
