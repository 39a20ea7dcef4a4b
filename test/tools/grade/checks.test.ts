/**
 * Each check by meaning: a minimal, correct hand-written template passes its bullet (whatever
 * the names and file layout), and the same template with a piece missing gets the partial credit
 * or the fail it deserves, with the hint naming the piece.
 */
import { BULLET_IDS } from '../../../templates-src/roadmap';
import { CHECKS } from '../../../tools/lib/grade/checks';
import { gradeSubmission, type BulletGrade } from '../../../tools/lib/grade/grade';
import { scoreQuality } from '../../../tools/lib/grade/quality';
import type { Submission } from '../../../tools/lib/grade/read';
import { defaultRubric } from '../../../tools/lib/grade/rubric';
import type { Json } from '../../../tools/lib/grade/tree';

type Files = Record<string, Json>;

const ref = (id: string) => ({ Ref: id });
const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const rubric = defaultRubric();

function grade(files: Files, id: string): BulletGrade {
  const submission: Submission = {
    name: 't',
    dir: '/t',
    files: Object.keys(files).map((file) => ({ file, status: 'template', bytes: 0, lines: 0, resources: 0, sam: false })),
    templates: Object.entries(files).map(([file, template]) => ({ file, template })),
    paths: new Map(),
    findings: [],
  };
  const g = gradeSubmission(submission, {
    rubric,
    repo: { isGitRepo: true, tracked: new Set(Object.keys(files)) },
    quality: scoreQuality([], { linter: 'specification', reason: 'test' }, rubric),
  });
  return g.steps.flatMap((s) => s.bullets).find((b) => b.id === id)!;
}

/** One-file submission with these resources. */
const resources = (r: Json, extra: Json = {}): Files => ({ 'work.yaml': { Resources: r, ...extra } });

function without(files: Files, file: string, ...ids: string[]): Files {
  const copy = JSON.parse(JSON.stringify(files)) as Files;
  for (const id of ids) delete (copy[file]!.Resources as Json)[id];
  return copy;
}

const bucket = (name: string, props: Json = {}) => ({ Type: 'AWS::S3::Bucket', Properties: { BucketName: name, ...props } });
const kmsBucket = (name: string) =>
  bucket(name, {
    VersioningConfiguration: { Status: 'Enabled' },
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arn('Key') } }] },
  });
const fn = (props: Json = {}) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Runtime: 'nodejs22.x', Handler: 'i.h', Role: arn('FnRole'), Code: { ZipFile: 'x' }, ...props },
});
const role = (actions: string[]) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {},
    Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] } }],
  },
});
const mapping = (fnId: string, source: unknown, props: Json = {}) => ({
  Type: 'AWS::Lambda::EventSourceMapping',
  Properties: { FunctionName: ref(fnId), EventSourceArn: source, StartingPosition: 'LATEST', ...props },
});

const endpoint = (service: string, type?: string) => ({
  Type: 'AWS::EC2::VPCEndpoint',
  Properties: { VpcId: ref('V'), ServiceName: { 'Fn::Sub': `com.amazonaws.\${AWS::Region}.${service}` }, ...(type ? { VpcEndpointType: type } : {}) },
});
const ENDPOINTS = resources({
  A: endpoint('s3'),
  B: endpoint('dynamodb'),
  C: endpoint('logs', 'Interface'),
  D: endpoint('sts', 'Interface'),
  E: endpoint('kms', 'Interface'),
  F: endpoint('secretsmanager', 'Interface'),
});

const PIPELINE = resources({
  Key: { Type: 'AWS::KMS::Key', Properties: {} },
  Ticks: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 1 } },
  Store: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'metrics' } },
  Landing: kmsBucket('raw-landing'),
  FnRole: role(['dynamodb:PutItem', 's3:PutObject', 'kinesis:GetRecords']),
  Validate: fn({ Environment: { Variables: { TABLE: ref('Store') } } }),
  ValidateFeed: mapping('Validate', arn('Ticks'), { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: arn('Failed') } } }),
  Failed: { Type: 'AWS::SQS::Queue', Properties: {} },
});

const ALARMS = resources({
  Errors: { Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/Lambda', MetricName: 'Errors' } },
  Lag: { Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/Kinesis', MetricName: 'GetRecords.IteratorAgeMilliseconds' } },
  Depth: {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['Dlq', 'QueueName'] } }],
    },
  },
  Dlq: { Type: 'AWS::SQS::Queue' },
  Fn: fn({ DeadLetterConfig: { TargetArn: arn('Dlq') } }),
});

const GLOBAL = resources({
  MetricsTable: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { Replicas: [{ Region: ref('AWS::Region') }, { Region: 'eu-west-1' }] } },
});

const ROOTED: Files = {
  'root.yaml': {
    Parameters: { Symbols: { Type: 'CommaDelimitedList' }, Cities: { Type: 'CommaDelimitedList' }, AlertThreshold: { Type: 'Number', Default: 10 } },
    Mappings: { Layers: { 'us-east-1': { Arn: 'arn:aws:lambda:us-east-1:1:layer:x:1' }, 'eu-west-1': { Arn: 'arn:aws:lambda:eu-west-1:1:layer:x:1' } } },
    Resources: {
      Net: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'net.yaml', Parameters: { Cidr: '10.0.0.0/16' } } },
      Run: {
        Type: 'AWS::CloudFormation::Stack',
        Properties: {
          TemplateURL: './run/fns.yaml',
          Parameters: {
            Symbols: { 'Fn::Join': [',', ref('Symbols')] },
            Cities: { 'Fn::Join': [',', ref('Cities')] },
            Threshold: ref('AlertThreshold'),
            Layer: { 'Fn::FindInMap': ['Layers', ref('AWS::Region'), 'Arn'] },
          },
        },
      },
      Query: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'query.yaml', Parameters: { Db: 'x' } } },
    },
  },
  'net.yaml': { Parameters: { Cidr: { Type: 'String' } }, Resources: { V: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: ref('Cidr') } } } },
  'run/fns.yaml': {
    Parameters: { Symbols: { Type: 'String' }, Cities: { Type: 'String' }, Threshold: { Type: 'Number' }, Layer: { Type: 'String' } },
    Resources: { F: fn({ Layers: [ref('Layer')] }) },
  },
  'query.yaml': { Parameters: { Db: { Type: 'String' } }, Resources: { W: { Type: 'AWS::Athena::WorkGroup', Properties: {} } } },
};

describe('a correct hand-written equivalent passes; missing pieces cost what they should', () => {
  test.each<[string, string, Files, 'pass']>([
    ['1.4', 'six endpoints, ServiceName by !Sub, default gateway type', ENDPOINTS, 'pass'],
    ['4.1', 'a validator fed by the stream, writing by its environment and its role', PIPELINE, 'pass'],
    ['4.3', 'an on-failure queue and bounded retries', PIPELINE, 'pass'],
    ['3.4', 'a queue used as an on-failure destination, whatever its name', PIPELINE, 'pass'],
    ['2.3', 'a raw bucket with versioning and SSE-KMS (named raw-landing)', PIPELINE, 'pass'],
    ['8.2', 'the three alarm kinds (DLQ by dimension)', ALARMS, 'pass'],
    ['5.1', 'a two-region global table', GLOBAL, 'pass'],
    ['10.2', 'a replica outside AWS::Region', GLOBAL, 'pass'],
    ['11.1', 'a root with nested stacks in subfolders and without ./', ROOTED, 'pass'],
    ['11.3', 'parameters named for symbols, cities and a threshold, used', ROOTED, 'pass'],
    ['11.4', 'a region mapping with ARNs used by !FindInMap', ROOTED, 'pass'],
    ['11.5', 'networking, compute and analytics templates nested with parameters', ROOTED, 'pass'],
  ])('%s: %s', (id, _label, files, verdict) => {
    const b = grade(files, id);
    expect([b.verdict, b.hint]).toEqual([verdict, undefined]);
  });

  test.each<[string, string, Files, string, number, RegExp]>([
    ['1.4', 'one endpoint short', without(ENDPOINTS, 'work.yaml', 'F'), 'partial', 5 / 6, /; missing secretsmanager — AWS::EC2::VPCEndpoint/],
    [
      '4.1',
      'no permission or variable for S3',
      (() => {
        const f = JSON.parse(JSON.stringify(PIPELINE)) as Files;
        ((f['work.yaml']!.Resources as Json).FnRole as Json).Properties = role(['dynamodb:PutItem']).Properties;
        return f;
      })(),
      'partial',
      2 / 3,
      /missing an S3 bucket for Validate/,
    ],
    [
      '4.3',
      'retries unbounded, no destination',
      (() => {
        const f = JSON.parse(JSON.stringify(PIPELINE)) as Files;
        (f['work.yaml']!.Resources as Json).ValidateFeed = mapping('Validate', arn('Ticks'));
        return f;
      })(),
      'fail',
      0,
      /on ValidateFeed/,
    ],
    ['8.2', 'no DLQ depth alarm', without(ALARMS, 'work.yaml', 'Depth'), 'partial', 2 / 3, /missing DLQ depth/],
    [
      '5.1',
      'a single-region global table',
      resources({ MetricsTable: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { Replicas: [{ Region: ref('AWS::Region') }] } } }),
      'partial',
      0.75,
      /a second replica of MetricsTable/,
    ],
    [
      '11.1',
      'a nested template not submitted',
      (() => {
        const f = { ...ROOTED };
        delete f['net.yaml'];
        return f;
      })(),
      'partial',
      0.8333,
      /missing the templates named by Net \(net\.yaml\)/,
    ],
    [
      '11.5',
      'compute not nested',
      (() => {
        const f = JSON.parse(JSON.stringify(ROOTED)) as Files;
        delete (f['root.yaml']!.Resources as Json).Run;
        return f;
      })(),
      'partial',
      0.8333,
      /run\/fns\.yaml nested from the root stack/,
    ],
  ])('%s: %s', (id, _label, files, verdict, score, hint) => {
    const b = grade(files, id);
    expect(b.verdict).toBe(verdict);
    expect(b.score).toBeCloseTo(score, 3);
    expect(b.hint).toMatch(hint);
  });

  test('every roadmap bullet has exactly one check', () => {
    expect(Object.keys(CHECKS).sort()).toEqual([...BULLET_IDS].sort());
  });

  test('a check that throws fails its bullet with a message instead of stopping the grade', () => {
    const replaced = jest.spyOn(CHECKS as Record<string, () => never>, '1.1').mockImplementation(() => {
      throw new Error('boom');
    });
    try {
      const b = grade(ENDPOINTS, '1.1');
      expect([b.verdict, b.hint]).toEqual(['fail', "1.1: missing the grader's check failed on this submission (boom); please report it"]);
      expect(grade(ENDPOINTS, '1.4').verdict).toBe('pass');
    } finally {
      replaced.mockRestore();
    }
  });
});
