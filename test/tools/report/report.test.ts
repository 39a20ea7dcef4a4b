import { existsSync } from 'node:fs';
import path from 'node:path';
import { BULLET_IDS, ROADMAP } from '../../../templates-src/roadmap';
import { loadTree } from '../../../tools/lib/report/model';
import { registryFiles } from '../../../tools/lib/report/run';
import { CHECKS, type CheckContext, type RepoFacts } from '../../../tools/lib/report/checks';
import { TemplateTree, type TemplateFile } from '../../../tools/lib/report/model';
import { buildReport, renderJson, renderMarkdown, type BulletReport, type RoadmapReport } from '../../../tools/lib/report/report';
import { FIXTURE_NESTED, fixtureTree, templateOf } from './fixture-tree';

const ALL_FILES = ['root.yaml', ...FIXTURE_NESTED.map((s) => s.file)];
const TRACKED: RepoFacts = { isGitRepo: true, trackedGenerated: ALL_FILES };

function context(files: TemplateFile[], repo: RepoFacts = TRACKED): CheckContext {
  return { tree: new TemplateTree(files), repo, expectedFiles: ALL_FILES, nested: FIXTURE_NESTED };
}

function run(files: TemplateFile[] = fixtureTree(), repo?: RepoFacts): RoadmapReport {
  return buildReport(ROADMAP, context(files, repo), [
    { id: 'DataLake', file: 'data-lake.yaml', steps: [2, 10] },
    { id: 'Root', file: 'root.yaml', steps: [11] },
  ]);
}

function bullet(report: RoadmapReport, id: string): BulletReport {
  const b = report.steps.flatMap((s) => s.bullets).find((x) => x.id === id);
  if (!b) throw new Error(`no bullet ${id}`);
  return b;
}

describe('roadmap report', () => {
  test('every roadmap bullet has exactly one check', () => {
    expect(Object.keys(CHECKS).sort()).toEqual([...BULLET_IDS].sort());
  });

  test.each(['1.4', '2.1', '2.2', '2.3', '3.1', '3.3', '4.1', '5.1', '8.3', '11.1', '11.2'])('bullet %s passes on the complete fixture', (id) => {
    const b = bullet(run(), id);
    expect(b.reason).toBeUndefined();
    expect(b.status).toBe('pass');
  });

  test('a passing bullet lists its mapped resources with file, logical ID and type', () => {
    expect(bullet(run(), '2.3').resources).toEqual([
      { file: 'data-lake.yaml', logicalId: 'RawBucket', type: 'AWS::S3::Bucket' },
      { file: 'data-lake.yaml', logicalId: 'ProcessedBucket', type: 'AWS::S3::Bucket' },
    ]);
    expect(bullet(run(), '2.3').detail).toMatch(/SSE-KMS with DataLakeKey \(security\.yaml\), bucket key/);
  });

  type Plant = (files: TemplateFile[]) => void;
  const gaps: [string, string, Plant, RegExp][] = [
    ['a missing topic', '8.3', (f) => delete templateOf(f, 'security.yaml').Resources.WeatherAlertsTopic, /missing SNS topic\(s\) WeatherAlerts/],
    ['a topic without KMS', '8.3', (f) => delete templateOf(f, 'security.yaml').Resources.FinOpsAlertsTopic.Properties.KmsMasterKeyId, /FinOpsAlertsTopic \(security\.yaml\): KmsMasterKeyId does not resolve/],
    [
      'an unencrypted bucket',
      '2.3',
      (f) => (templateOf(f, 'data-lake.yaml').Resources.ProcessedBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault = { SSEAlgorithm: 'AES256' }),
      /^ProcessedBucket: not encrypted with SSE-KMS \(SSEAlgorithm is AES256\)/,
    ],
    ['a bucket without bucket key', '2.3', (f) => (templateOf(f, 'data-lake.yaml').Resources.RawBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].BucketKeyEnabled = false), /^RawBucket: BucketKeyEnabled is not true/],
    ['an unversioned bucket', '2.3', (f) => delete templateOf(f, 'data-lake.yaml').Resources.RawBucket.Properties.VersioningConfiguration, /^RawBucket: versioning is not configured/],
    ['a bucket key that is not ours', '2.3', (f) => (templateOf(f, 'data-lake.yaml').Resources.RawBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID = 'alias/aws/s3'), /customer managed key/],
    [
      'a bucket key from outside the security stack',
      '2.3',
      (f) => {
        const lake = templateOf(f, 'data-lake.yaml');
        lake.Resources.LocalKey = { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } };
        lake.Resources.RawBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID = { 'Fn::GetAtt': ['LocalKey', 'Arn'] };
      },
      /^RawBucket: the key LocalKey \(data-lake\.yaml\) is not a CMK of the security stack \(security\.yaml\)/,
    ],
    ['no Metadata mapping', '2.1', (f) => delete templateOf(f, 'data-lake.yaml').Metadata.Roadmap['2.1'], /^no resources mapped \(no Metadata.Roadmap entry for 2\.1\); the check alone passes/],
    ['an interface endpoint without private DNS', '1.4', (f) => delete templateOf(f, 'networking.yaml').Resources.KmsEndpoint.Properties.PrivateDnsEnabled, /^missing interface endpoint with private DNS for kms$/],
    ['an API method open without authorization', '3.1', (f) => (templateOf(f, 'streaming.yaml').Resources.IngestMethod.Properties.AuthorizationType = 'NONE'), /methods open without authorization \(AuthorizationType NONE\): IngestMethod/],
    ['a missing gateway endpoint', '1.4', (f) => delete templateOf(f, 'networking.yaml').Resources.DynamoDbEndpoint, /^missing gateway endpoint for dynamodb/],
    ['an unencrypted stream', '3.3', (f) => delete templateOf(f, 'streaming.yaml').Resources.Stream.Properties.StreamEncryption, /Stream not encrypted with KMS/],
    [
      'a partition key without city',
      '3.3',
      (f) => (templateOf(f, 'streaming.yaml').Resources.IngestMethod.Properties.Integration.RequestTemplates['application/json'] = { 'Fn::Sub': '{"StreamName": "${Stream}", "PartitionKey": "$elem.symbol"}' }),
      /the PartitionKey does not come from symbol and city/,
    ],
    ['a single-region table', '5.1', (f) => (templateOf(f, 'datastores.yaml').Resources.MetricsTable.Properties.Replicas = [{ Region: { Ref: 'AWS::Region' }, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }]), /at most 1 replica/],
    ['a table without PITR', '5.1', (f) => delete templateOf(f, 'datastores.yaml').Resources.MetricsTable.Properties.Replicas['Fn::If'][1][1].PointInTimeRecoverySpecification, /point-in-time recovery is not enabled on every replica/],
    ['an enricher without a bucket', '4.1', (f) => delete templateOf(f, 'compute.yaml').Resources.EnricherFunction.Properties.Environment.Variables.RAW_BUCKET, /no environment variable resolves to an S3 bucket/],
    ['a Metadata entry naming a missing resource', '8.3', (f) => templateOf(f, 'security.yaml').Metadata.Roadmap['8.3'].Resources.push('GoneTopic'), /undeclared logical IDs: security\.yaml#GoneTopic/],
    ['a nested stack dropped from root', '11.1', (f) => delete templateOf(f, 'root.yaml').Resources.Datastores, /root does not nest Datastores → \.\/datastores\.yaml/],
  ];

  test.each(gaps)('%s fails bullet %s with the reason', (_label, id, plant, reason) => {
    const files = fixtureTree();
    plant(files);
    const report = run(files);
    const b = bullet(report, id);
    expect(b.status).toBe('fail');
    expect(b.reason).toMatch(reason);
  });

  test('a planted gap fails only its own bullet among the passing ones', () => {
    const files = fixtureTree();
    delete templateOf(files, 'security.yaml').Resources.WeatherAlertsTopic;
    const before = run();
    const after = run(files);
    const flipped = before.steps.flatMap((s) => s.bullets).filter((b) => b.status === 'pass' && bullet(after, b.id).status === 'fail');
    expect(flipped.map((b) => b.id)).toEqual(['8.3']);
  });

  test.each<[string, RepoFacts, RegExp]>([
    ['not a git repository', { isGitRepo: false, trackedGenerated: [] }, /not a git work tree/],
    ['generated/ not committed', { isGitRepo: true, trackedGenerated: ['root.yaml'] }, /not tracked by git: security\.yaml, networking\.yaml/],
  ])('11.2 fails when %s', (_label, repo, reason) => {
    const b = bullet(run(fixtureTree(), repo), '11.2');
    expect(b.status).toBe('fail');
    expect(b.reason).toMatch(reason);
  });

  test('step totals count passed bullets and the overall total adds them up', () => {
    const report = run();
    const step2 = report.steps.find((s) => s.step === 2)!;
    expect([step2.passed, step2.total]).toEqual([3, 5]);
    expect(report.total).toBe(BULLET_IDS.size);
    expect(report.passed).toBe(report.steps.reduce((n, s) => n + s.passed, 0));
    expect(report.steps.map((s) => s.total)).toEqual(ROADMAP.map((s) => s.bullets.length));
  });

  test('the Markdown and JSON are deterministic and carry totals, bullets and the diagram', () => {
    const a = run();
    const md = renderMarkdown(a, 'flowchart LR\n  A --> B\n');
    expect(md).toBe(renderMarkdown(run(), 'flowchart LR\n  A --> B\n'));
    expect(md).toContain(`**Overall: ${a.passed}/${a.total} bullets pass.**`);
    expect(md).toContain('| 2 | Storage Foundations | `data-lake.yaml` | 3/5 |');
    expect(md).toContain('## Step 10 – Resilience & DR (`networking.yaml` + `datastores.yaml`): 0/4\n\nImplemented by DataLake (data-lake.yaml) (registry: templates-src/stacks.ts).');
    expect(md).toContain('```mermaid\nflowchart LR\n  A --> B\n```');
    expect(md).toMatch(/\| 2\.3 Enable Versioning \+ Encryption \(KMS CMK\) \| ✅ pass \| `data-lake.yaml` RawBucket \(AWS::S3::Bucket\)<br>/);
    expect(JSON.parse(renderJson(a))).toEqual(JSON.parse(JSON.stringify(a)));
  });

  const generated = path.join(__dirname, '../../../generated');
  (existsSync(generated) ? test : test.skip)('runs every check on the real generated/ tree without a check throwing', async () => {
    const files = registryFiles();
    const tree = await loadTree(generated, files);
    const report = buildReport(ROADMAP, { tree, repo: TRACKED, expectedFiles: files, nested: [] });
    const bullets = report.steps.flatMap((s) => s.bullets);
    expect(bullets.filter((b) => /the check threw/.test(b.reason ?? '')).map((b) => `${b.id}: ${b.reason}`)).toEqual([]);
    expect(bullets.every((b) => (b.status === 'pass' ? b.detail : b.reason))).toBe(true);
  });
});
