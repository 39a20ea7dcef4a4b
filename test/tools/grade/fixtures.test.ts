/**
 * The hand-written submissions of test/fixtures/submissions, each graded bullet by bullet. Each
 * table lists the verdict of every bullet the fixture exercises; every bullet not listed must fail.
 */
import { BULLET_IDS } from '../../../templates-src/roadmap';
import type { SubmissionGrade } from '../../../tools/lib/grade/grade';
import { bullet, gradeFixture, gradeFixtures, verdicts } from './helpers';

type Verdicts = Record<string, 'pass' | 'partial'>;

/** Every bullet: the listed verdict, or fail. */
function expected(listed: Verdicts): Record<string, string> {
  return Object.fromEntries([...BULLET_IDS].map((id) => [id, listed[id] ?? 'fail']));
}

const cache = new Map<string, Promise<SubmissionGrade>>();
function graded(name: string): Promise<SubmissionGrade> {
  if (!cache.has(name)) cache.set(name, gradeFixture(name));
  return cache.get(name)!;
}

describe('split-files: a complete-ish project under other file names (main.yaml + stacks/*.yaml)', () => {
  const designed: Verdicts = {
    '1.1': 'pass',
    '1.2': 'pass',
    '1.3': 'pass',
    '1.4': 'partial',
    '1.5': 'partial',
    '2.1': 'pass',
    '2.2': 'pass',
    '2.3': 'pass',
    '2.4': 'partial',
    '3.1': 'pass',
    '3.2': 'pass',
    '3.3': 'partial',
    '3.4': 'pass',
    '4.1': 'pass',
    '4.2': 'pass',
    '4.3': 'partial',
    '5.1': 'pass',
    '5.2': 'partial',
    '6.1': 'pass',
    '6.2': 'pass',
    '7.3': 'partial',
    '8.1': 'pass',
    '8.2': 'partial',
    '8.3': 'partial',
    '9.1': 'partial',
    '9.2': 'pass',
    '9.3': 'partial',
    '9.4': 'pass',
    '9.5': 'partial',
    '10.2': 'partial',
    '10.3': 'pass',
    '10.4': 'partial',
    '11.1': 'pass',
    '11.3': 'pass',
    '11.4': 'pass',
    '11.5': 'pass',
  };

  test('every bullet has its designed verdict', async () => {
    expect(verdicts(await graded('split-files'))).toEqual(expected(designed));
  });

  test.each<[string, number, string]>([
    [
      '1.4',
      5 / 6,
      '1.4: found gateway endpoint for s3, gateway endpoint for dynamodb, interface endpoint for logs, interface endpoint for sts, interface endpoint for kms; missing secretsmanager — ',
    ],
    ['1.5', 2 / 3, '1.5: found security group for API Gateway, security group for Lambda; missing a security group for EC2 instances'],
    [
      '2.4',
      3 / 4,
      '2.4: found raw bucket → IA, raw bucket → Glacier, processed bucket → IA; missing an enabled lifecycle rule on ProcessedBucket with a transition to GLACIER',
    ],
    [
      '3.3',
      5 / 6,
      '3.3: found Kinesis data stream, partition key from symbol/city (in part); missing a PartitionKey taken from the symbol for stock ticks and the city for weather',
    ],
    [
      '4.3',
      2 / 3,
      '4.3: found on-failure destinations (DLQs) (in part), bounded retry policies (in part); missing DestinationConfig.OnFailure.Destination (an SQS queue) on AggregatorMapping, MaximumRetryAttempts (and MaximumRecordAgeInSeconds) on AggregatorMapping',
    ],
    ['8.3', 3 / 4, '8.3: found OpsAlerts topic, MarketAlerts topic, WeatherAlerts topic; missing FinOpsAlerts'],
    ['9.1', 1 / 3, '9.1: found IAM roles; missing named actions instead of dynamodb:* in FunctionRole, a role trusting another account'],
    ['9.5', 1 / 2, '9.5: found GuardDuty detector, WAF web ACL on API Gateway (in part); missing an AWS::SecurityHub::Hub, an AWS::WAFv2::WebACLAssociation'],
    [
      '10.4',
      3 / 4,
      '10.4: found backup plan, backup vault, DynamoDB covered by a backup selection; missing an AWS::Backup::BackupSelection naming the S3 buckets (RawBucket, ProcessedBucket)',
    ],
  ])('%s earns proportional credit and a hint naming what is missing', async (id, score, hint) => {
    const b = bullet(await graded('split-files'), id);
    expect(b.score).toBeCloseTo(score, 4);
    expect(b.hint?.startsWith(hint)).toBe(true);
  });

  test('evidence follows values through the root stack: the enricher writes to the table and bucket of other files', async () => {
    const b = bullet(await graded('split-files'), '4.1');
    expect(b.evidence.map((e) => `${e.file}#${e.logicalId}`)).toEqual(
      expect.arrayContaining(['stacks/tables.yaml#MetricsTable', 'stacks/lake.yaml#RawBucket']),
    );
    expect(bullet(await graded('split-files'), '9.2').evidence[0]).toMatchObject({ file: 'stacks/security.yaml', logicalId: 'DataKey', type: 'AWS::KMS::Key' });
  });

  test('evidence names file, line, logical ID, type and the property that satisfied the part', async () => {
    expect(bullet(await graded('split-files'), '1.1').evidence[0]).toEqual({
      file: 'stacks/vpc.yaml',
      line: 12,
      logicalId: 'AppVpc',
      type: 'AWS::EC2::VPC',
      property: 'Properties.CidrBlock',
    });
  });

  test('placement: only stacks/security.yaml has a name the roadmap uses', async () => {
    const g = await graded('split-files');
    const step = (n: number) => g.steps.find((s) => s.step === n)!.placement;
    expect(step(1)).toMatchObject({ expected: ['networking.yaml'], foundIn: ['stacks/vpc.yaml'], placed: 0, score: 0 });
    expect(step(9).score).toBeGreaterThan(0.5);
    expect(step(9).foundIn).toContain('stacks/security.yaml');
    expect(step(11)).toMatchObject({ expected: ['root.yaml'], placed: 0 });
    expect(g.placementScore).toBeLessThan(0.2);
  });
});

describe('json-longform: one JSON file, long-form intrinsics, a few steps', () => {
  test('every bullet has its designed verdict', async () => {
    expect(verdicts(await graded('json-longform'))).toEqual(
      expected({ '1.1': 'partial', '1.2': 'partial', '1.4': 'partial', '2.1': 'pass', '2.3': 'pass', '3.3': 'pass', '5.1': 'partial' }),
    );
  });

  test('Fn::Join service names, Fn::ImportValue keys and Fn::Select AZs are read by meaning', async () => {
    const g = await graded('json-longform');
    expect(bullet(g, '1.4').hint).toMatch(/^1\.4: found gateway endpoint for s3; missing dynamodb, logs, sts, kms, secretsmanager/);
    expect(bullet(g, '2.3').evidence.find((e) => e.property?.endsWith('KMSMasterKeyID'))?.note).toBe('key from an imported value');
    expect(bullet(g, '1.2').hint).toMatch(/found private subnets in 2\+ AZs; missing public subnets in two availability zones/);
    expect(bullet(g, '5.1').hint).toMatch(/AWS::DynamoDB::Table is single-region/);
    expect(g.files).toEqual([{ file: 'stack.json', status: 'template', bytes: expect.any(Number), lines: 99, resources: 8, sam: false }]);
  });
});

describe('sam-app: AWS::Serverless resources count as what they expand to', () => {
  test('every bullet has its designed verdict', async () => {
    expect(verdicts(await graded('sam-app'))).toEqual(
      expected({
        '2.1': 'pass',
        '2.3': 'partial',
        '3.1': 'pass',
        '3.2': 'pass',
        '3.3': 'pass',
        '3.4': 'pass',
        '4.1': 'pass',
        '4.3': 'partial',
        '5.2': 'partial',
        '8.1': 'pass',
        '8.3': 'partial',
        '9.1': 'partial',
        '11.3': 'partial',
      }),
    );
  });

  test('the evidence says which SAM resource each expanded resource came from', async () => {
    const g = await graded('sam-app');
    expect(bullet(g, '4.1').evidence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          logicalId: 'EnricherFunctionTicks',
          type: 'AWS::Lambda::EventSourceMapping',
          expandedFrom: 'AWS::Serverless::Function EnricherFunction',
        }),
      ]),
    );
    expect(bullet(g, '3.2').evidence[0]).toMatchObject({
      logicalId: 'PollerFunctionEveryMinute',
      type: 'AWS::Scheduler::Schedule',
      expandedFrom: 'AWS::Serverless::Function PollerFunction',
    });
    expect(bullet(g, '5.2').evidence[0]).toMatchObject({
      logicalId: 'LatestTable',
      type: 'AWS::DynamoDB::Table',
      expandedFrom: 'AWS::Serverless::SimpleTable LatestTable',
    });
    expect(g.files[0]).toMatchObject({ file: 'template.yaml', sam: true });
  });

  test('the API methods of SAM Api events carry the default Cognito authorizer', async () => {
    const parts = bullet(await graded('sam-app'), '3.1').parts;
    expect(parts.map((p) => [p.label, p.credit])).toEqual([
      ['API Gateway API', 1],
      ['Cognito authorizer on the API', 1],
    ]);
  });
});

describe('all-conditional: every resource exists only under a condition', () => {
  test('conditional resources count, and the bullets say under which conditions', async () => {
    const g = await graded('all-conditional');
    expect(verdicts(g)).toEqual(
      expected({ '1.1': 'pass', '1.2': 'partial', '1.3': 'pass', '1.4': 'partial', '5.1': 'pass', '5.3': 'pass', '10.2': 'pass', '11.5': 'partial' }),
    );
    const flags = (id: string) => [bullet(g, id).conditional, bullet(g, id).conditions];
    expect(flags('1.1')).toEqual([true, ['WantNetwork']]);
    expect(flags('1.4')).toEqual([true, ['WantEndpoints']]);
    expect(flags('5.1')).toEqual([true, ['HasSecondary']]);
    expect(flags('5.3')).toEqual([true, ['DaxOn']]);
  });

  test('the optional DAX bullet is graded and shown but does not count', async () => {
    const g = await graded('all-conditional');
    const step5 = g.steps.find((s) => s.step === 5)!;
    expect(bullet(g, '5.3')).toMatchObject({ optional: true, verdict: 'pass' });
    expect(step5.score).toBeCloseTo(0.5, 4); // 5.1 pass, 5.2 fail; 5.3 left out
    expect(g.counts.optional).toBe(1);
  });

  test('files named as the roadmap names them are well placed', async () => {
    const g = await graded('all-conditional');
    expect(g.steps.find((s) => s.step === 1)!.placement).toMatchObject({ foundIn: ['networking.yaml'], score: 1 });
    expect(g.steps.find((s) => s.step === 5)!.placement).toMatchObject({ foundIn: ['datastores.yaml'], score: 1 });
  });
});

describe('broken-yaml: a file that does not parse next to good ones', () => {
  test('the broken file is a one-line finding with its line, scores nothing, and the others are graded', async () => {
    const g = await graded('broken-yaml');
    expect(g.parseErrors).toBe(1);
    expect(g.files.map((f) => [f.file, f.status])).toEqual([
      ['compute.yml', 'template'],
      ['data-lake.yaml', 'parse-error'],
      ['dev-params.json', 'not-a-template'],
      ['networking.yaml', 'template'],
    ]);
    expect(g.findings.map((f) => `${f.file}:${f.line}: ${f.rule}: ${f.message}`)).toEqual([
      'compute.yml:18: unknown-tag: !GetAttr is not a CloudFormation intrinsic function tag; the value is read as plain text',
      'data-lake.yaml:10: parse-error: does not parse: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'dev-params.json:1: not-a-template: not a CloudFormation template: it is a list, not a mapping (a parameters file?)',
    ]);
    expect(g.findings[0]!.fix).toBe('did you mean !GetAtt?');
    expect(verdicts(g)).toEqual(expected({ '1.1': 'pass', '9.1': 'partial' }));
  });

  test('the parse error and the unknown tag deduct from quality; the parameters file does not', async () => {
    const q = (await graded('broken-yaml')).quality;
    expect(q.findings.map((f) => f.rule).sort()).toEqual(['parse-error', 'unknown-tag']);
    expect(q.score).toBeCloseTo(0.9, 4);
  });
});

describe('unknown-type: misspelt resource types', () => {
  test('count for nothing, with a did-you-mean finding each', async () => {
    const g = await graded('unknown-type');
    expect(g.findings.map((f) => [f.logicalId, f.rule, f.fix])).toEqual([
      ['DataVpc', 'unknown-resource-type', 'did you mean AWS::EC2::VPC?'],
      ['RawBucket', 'unknown-resource-type', 'did you mean AWS::S3::Bucket?'],
    ]);
    expect(verdicts(g)).toEqual(expected({ '1.1': 'partial', '2.2': 'pass', '2.3': 'partial' }));
    expect(bullet(g, '2.1').hint).toMatch(/^2\.1: missing an AWS::S3::Bucket for the raw zone/);
  });
});

describe('empty: a folder without templates', () => {
  test('scores 0 with a finding, and every bullet fails with a hint', async () => {
    const g = await graded('empty');
    expect([g.score, g.parseErrors, g.files]).toEqual([0, 0, []]);
    expect(g.findings.map((f) => f.rule)).toEqual(['no-templates']);
    const all = g.steps.flatMap((s) => s.bullets);
    expect(all.every((b) => b.verdict === 'fail' && b.hint?.startsWith(`${b.id}: missing `))).toBe(true);
    expect(g.steps.map((s) => s.placement.score)).toEqual(g.steps.map(() => null));
  });
});

test('a class: one grade per submission, sorted by name, each file read once', async () => {
  const run = await gradeFixtures(['split-files', 'empty', 'sam-app']);
  expect(run.grades.map((g) => g.submission)).toEqual(['empty', 'sam-app', 'split-files']);
  expect(run.grades.map((g) => g.steps.length)).toEqual([11, 11, 11]);
});
