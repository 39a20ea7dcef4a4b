import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseCloudFormation, readSubmission, templateFilesUnder } from '../../../tools/lib/grade/read';
import { expandSam } from '../../../tools/lib/grade/sam';
import { TemplateTree } from '../../../tools/lib/grade/tree';

function parsed(text: string): unknown {
  const r = parseCloudFormation(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('parseCloudFormation: the tag table of our emitter, short and long form alike', () => {
  test.each<[string, string, unknown]>([
    ['!Ref', 'A: !Ref X', { Ref: 'X' }],
    ['dotted !GetAtt (split at the first dot)', 'A: !GetAtt Stack.Outputs.Name', { 'Fn::GetAtt': ['Stack', 'Outputs.Name'] }],
    ['!GetAtt as a list', 'A: !GetAtt [B, Arn]', { 'Fn::GetAtt': ['B', 'Arn'] }],
    ['!Sub with a variable map', 'A: !Sub [ "${x}-${AWS::Region}", { x: !Ref Y } ]', { 'Fn::Sub': ['${x}-${AWS::Region}', { x: { Ref: 'Y' } }] }],
    ['!If with nested !Ref', "A: !If [C, !Ref X, !Ref 'AWS::NoValue']", { 'Fn::If': ['C', { Ref: 'X' }, { Ref: 'AWS::NoValue' }] }],
    ['!Condition inside !And', 'A: !And [!Condition C1, !Not [!Condition C2]]', { 'Fn::And': [{ Condition: 'C1' }, { 'Fn::Not': [{ Condition: 'C2' }] }] }],
    ['!Base64 of a long-form Fn::Sub', 'A: !Base64 {"Fn::Sub": "echo ${X}"}', { 'Fn::Base64': { 'Fn::Sub': 'echo ${X}' } }],
    ['!Cidr', 'A: !Cidr [!GetAtt V.CidrBlock, 4, 8]', { 'Fn::Cidr': [{ 'Fn::GetAtt': ['V', 'CidrBlock'] }, 4, 8] }],
    ['!ImportValue', 'A: !ImportValue shared-KeyArn', { 'Fn::ImportValue': 'shared-KeyArn' }],
    [
      '!Transform',
      'A: !Transform { Name: AWS::Include, Parameters: { Location: s3://b/k } }',
      { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/k' } } },
    ],
    ['!Select of !GetAZs', "A: !Select [0, !GetAZs '']", { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }],
    [
      '!FindInMap, !Join, !Split, !Equals, !Or',
      'A: [!FindInMap [M, K, V], !Join [",", [a]], !Split [",", "a,b"], !Equals [a, b], !Or [!Condition C, !Condition D]]',
      [
        { 'Fn::FindInMap': ['M', 'K', 'V'] },
        { 'Fn::Join': [',', ['a']] },
        { 'Fn::Split': [',', 'a,b'] },
        { 'Fn::Equals': ['a', 'b'] },
        { 'Fn::Or': [{ Condition: 'C' }, { Condition: 'D' }] },
      ],
    ],
  ])('%s', (_label, text, value) => {
    expect((parsed(`${text}\n`) as { A: unknown }).A).toEqual(value);
  });

  test('YAML short form, YAML long form and JSON read the same', () => {
    const short = parsed(
      'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub "${AWS::StackName}-raw"\n      Tags: [{Key: k, Value: !GetAtt K.Arn}]\n',
    );
    const long = parsed(
      'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: {"Fn::Sub": "${AWS::StackName}-raw"}\n      Tags: [{Key: k, Value: {"Fn::GetAtt": [K, Arn]}}]\n',
    );
    const json = parsed(
      '{\n\t"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "${AWS::StackName}-raw"}, "Tags": [{"Key": "k", "Value": {"Fn::GetAtt": ["K", "Arn"]}}]}}}\n}\n',
    );
    expect(long).toEqual(short);
    expect(json).toEqual(short);
  });

  test('a syntax error gives its line and a one-line message', () => {
    const r = parseCloudFormation('Resources:\n  A:\n    Type: X\n    Properties: {a: [1, 2}\n');
    expect(r.ok).toBe(false);
    expect(r.ok ? undefined : [r.line, r.message.includes('\n')]).toEqual([4, false]);
  });

  test('two short forms in a row are an error, as CloudFormation documents (one tag per YAML node)', () => {
    expect(parseCloudFormation('A: !Base64 !Sub "echo ${X}"\n')).toMatchObject({ ok: false, line: 1, message: 'A node can have at most one tag' });
  });

  test('duplicate keys are a syntax error (CloudFormation rejects them)', () => {
    expect(parseCloudFormation('Resources:\n  A: {Type: X}\n  A: {Type: Y}\n').ok).toBe(false);
  });
});

describe('readSubmission', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'submission-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const put = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  };

  test('finds *.yaml, *.yml, *.json and *.template recursively, skipping node_modules and dot-folders', async () => {
    for (const f of [
      'a.yaml',
      'b.YML',
      'nested/c.json',
      'nested/deeper/d.template',
      'node_modules/x/e.yaml',
      '.aws-sam/build/f.yaml',
      'notes.txt',
      'README.md',
    ])
      await put(f, 'Resources: {}\n');
    expect(await templateFilesUnder(dir)).toEqual(['a.yaml', 'b.YML', 'nested/c.json', 'nested/deeper/d.template']);
  });

  test('a single file brings the local nested templates it names, and reports those that are missing', async () => {
    await put(
      'root.yaml',
      'Resources:\n  Net:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./stacks/net.yaml\n  Gone:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: stacks/gone.yaml\n',
    );
    await put('stacks/net.yaml', 'Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n');
    await put('unrelated.yaml', 'Resources: {}\n');
    const s = await readSubmission(path.join(dir, 'root.yaml'));
    expect(s.name).toBe('root');
    expect(s.templates.map((t) => t.file)).toEqual(['root.yaml', 'stacks/net.yaml']);
    expect(s.findings.map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual(['root.yaml:6 nested-template-missing']);
    expect(new TemplateTree(s.templates).childFile('root.yaml', 'Net')).toBe('stacks/net.yaml');
  });

  test('a UTF-8 BOM, an empty file and a file without Resources', async () => {
    await put('bom.yaml', '\uFEFFResources:\n  T:\n    Type: AWS::SNS::Topic\n');
    await put('empty.yaml', '');
    await put('outputs-only.yaml', 'Outputs:\n  X:\n    Value: 1\n');
    const s = await readSubmission(dir);
    expect(s.files.map((f) => [f.file, f.status])).toEqual([
      ['bom.yaml', 'template'],
      ['empty.yaml', 'not-a-template'],
      ['outputs-only.yaml', 'not-a-template'],
    ]);
    expect(s.findings.map((f) => f.message)).toEqual([
      'not a CloudFormation template: the file is empty',
      'not a CloudFormation template: it has no Resources section',
    ]);
  });
});

describe('TemplateTree across files', () => {
  const root = {
    file: 'main.yaml',
    template: {
      Parameters: { Threshold: { Type: 'Number' } },
      Resources: {
        Store: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://s3.amazonaws.com/bucket/store.yaml' } },
        Fns: {
          Type: 'AWS::CloudFormation::Stack',
          Condition: 'WithFunctions',
          Properties: { TemplateURL: './fns.yaml', Parameters: { TableName: { 'Fn::GetAtt': ['Store', 'Outputs.TableName'] }, Limit: { Ref: 'Threshold' } } },
        },
      },
    },
  };
  const store = {
    file: 'store.yaml',
    template: {
      Resources: { Table: { Type: 'AWS::DynamoDB::Table' } },
      Outputs: {
        TableName: { Value: { Ref: 'Table' } },
        Shared: { Value: { 'Fn::GetAtt': ['Table', 'Arn'] }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-TableArn' } } },
      },
    },
  };
  const fns = {
    file: 'fns.yaml',
    template: {
      Parameters: { TableName: { Type: 'String' }, Limit: { Type: 'Number' } },
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Environment: { Variables: { T: { Ref: 'TableName' }, I: { 'Fn::ImportValue': { 'Fn::Sub': '${StoreStack}-TableArn' } }, L: { Ref: 'Limit' } } },
          },
        },
      },
    },
  };
  const tree = new TemplateTree([root, store, fns]);

  test('finds the root, and a packaged S3 TemplateURL by its file name', () => {
    expect(tree.rootFile).toBe('main.yaml');
    expect(tree.links().map((l) => [l.stackId, l.childFile, l.by])).toEqual([
      ['Store', 'store.yaml', 'name'],
      ['Fns', 'fns.yaml', 'path'],
    ]);
  });

  test.each<[string, unknown, string[]]>([
    ['a child parameter wired to another child output', { Ref: 'TableName' }, ['store.yaml#Table']],
    ['an !ImportValue matched to the export whatever the stack name', { 'Fn::ImportValue': { 'Fn::Sub': '${StoreStack}-TableArn' } }, ['store.yaml#Table']],
    ['a top-level parameter to nothing', { Ref: 'Limit' }, []],
  ])('resolves %s', (_label, value, expected) => {
    expect(tree.resolve('fns.yaml', value).map((r) => `${r.file}#${r.logicalId}`)).toEqual(expected);
  });

  test('a resource of a conditional nested stack is conditional', () => {
    expect(tree.conditionsOf({ file: 'fns.yaml', logicalId: 'Fn' })).toEqual(['Fns:WithFunctions']);
    expect(tree.rootParameters('fns.yaml', { Ref: 'Limit' })).toEqual(['Threshold']);
  });
});

describe('expandSam', () => {
  test('a function with a role, its events, Globals merged, and the API methods with their authorizer', () => {
    const { template, expandedFrom, unexpanded } = expandSam({
      Transform: 'AWS::Serverless-2016-10-31',
      Globals: { Function: { Runtime: 'nodejs22.x', Environment: { Variables: { A: '1' } } } },
      Resources: {
        Fn: {
          Type: 'AWS::Serverless::Function',
          Condition: 'On',
          Properties: {
            Handler: 'i.h',
            Environment: { Variables: { B: '2' } },
            Policies: [{ SQSSendMessagePolicy: { QueueName: 'q' } }, 'AWSXRayDaemonWriteAccess'],
            Events: {
              S: { Type: 'Kinesis', Properties: { Stream: { 'Fn::GetAtt': ['St', 'Arn'] }, StartingPosition: 'LATEST', MaximumRetryAttempts: 1 } },
              Api: { Type: 'Api', Properties: { Path: '/x', Method: 'post' } },
            },
          },
        },
        St: { Type: 'AWS::Kinesis::Stream' },
        Machine: { Type: 'AWS::Serverless::GraphQLApi' },
      },
    });
    const resources = template.Resources as Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>;
    expect(Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, r.Type]))).toEqual({
      FnRole: 'AWS::IAM::Role',
      Fn: 'AWS::Lambda::Function',
      FnS: 'AWS::Lambda::EventSourceMapping',
      St: 'AWS::Kinesis::Stream',
      Machine: 'AWS::Serverless::GraphQLApi',
      ServerlessRestApi: 'AWS::ApiGateway::RestApi',
      FnApiMethod: 'AWS::ApiGateway::Method',
    });
    expect(resources.Fn!.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Environment: { Variables: { A: '1', B: '2' } },
      Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] },
    });
    expect(resources.FnS!).toMatchObject({
      Condition: 'On',
      Properties: { FunctionName: { Ref: 'Fn' }, EventSourceArn: { 'Fn::GetAtt': ['St', 'Arn'] }, MaximumRetryAttempts: 1 },
    });
    expect(resources.FnApiMethod!.Properties).toMatchObject({ HttpMethod: 'POST', AuthorizationType: 'NONE' });
    expect(JSON.stringify(resources.FnRole!.Properties)).toContain('"sqs:SendMessage"');
    expect(expandedFrom.get('FnS')).toBe('AWS::Serverless::Function Fn');
    expect(unexpanded).toEqual(['AWS::Serverless::GraphQLApi Machine']);
    expect(template.Globals).toBeUndefined();
  });
});
