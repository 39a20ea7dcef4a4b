import { diffTrees, valueChanges, type ResourceDiff, type TreeDiff } from '../../../tools/lib/diff/diff';
import { formatValue, renderMarkdown, renderText } from '../../../tools/lib/diff/render';
import { replacementSpec } from '../../../tools/lib/diff/spec';

type Json = Record<string, any>;

function table(
  keys: [string, string][] = [
    ['pk', 'HASH'],
    ['sk', 'RANGE'],
  ],
): Json {
  return {
    Type: 'AWS::DynamoDB::GlobalTable',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      KeySchema: keys.map(([AttributeName, KeyType]) => ({ AttributeName, KeyType })),
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      Replicas: [{ Region: { Ref: 'AWS::Region' } }],
    },
  };
}

/** A base tree: root nesting datastores.yaml and networking.yaml. */
function base(): Map<string, Json> {
  return new Map<string, Json>([
    [
      'root.yaml',
      {
        Parameters: { Environment: { Type: 'String', Default: 'dev' } },
        Resources: {
          Datastores: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: './datastores.yaml' } },
          Networking: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: './networking.yaml' } },
        },
      },
    ],
    [
      'datastores.yaml',
      {
        Resources: {
          MetricsTable: table(),
          LatestTable: table([['pk', 'HASH']]),
          AlertTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'alerts' } },
        },
        Outputs: { MetricsTableName: { Value: { Ref: 'MetricsTable' } } },
      },
    ],
    [
      'networking.yaml',
      {
        Resources: {
          AppVpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16', InstanceTenancy: 'default' } },
          LogsBucket: { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'Suspended' } } },
        },
      },
    ],
  ]);
}

function diffWith(change: (head: Map<string, Json>) => void): TreeDiff {
  const head = structuredClone(base());
  change(head);
  const stacks = new Map([
    ['datastores.yaml', 'Datastores'],
    ['networking.yaml', 'Networking'],
  ]);
  return diffTrees({ before: base(), after: head, stacks, spec: replacementSpec });
}

function resource(diff: TreeDiff, file: string, logicalId: string): ResourceDiff | undefined {
  return diff.files.find((f) => f.file === file)?.resources.find((r) => r.logicalId === logicalId);
}

describe('template diff', () => {
  test('identical trees have no changes', () => {
    const diff = diffWith(() => undefined);
    expect(diff.files.every((f) => f.action === 'unchanged')).toBe(true);
    expect(diff.warnings).toEqual([]);
    expect(renderMarkdown(diff, { base: 'main', head: 'working tree' })).toContain('No changes in the generated templates.');
  });

  test('detects an added resource', () => {
    const diff = diffWith((h) => (h.get('datastores.yaml')!.Resources.OpsTopic = { Type: 'AWS::SNS::Topic', Properties: {} }));
    expect(resource(diff, 'datastores.yaml', 'OpsTopic')).toMatchObject({ action: 'add', type: 'AWS::SNS::Topic', stateful: false });
    expect(diff.warnings).toEqual([]);
  });

  test('detects a removed stateful resource and flags it', () => {
    const diff = diffWith((h) => delete h.get('networking.yaml')!.Resources.LogsBucket);
    expect(resource(diff, 'networking.yaml', 'LogsBucket')).toMatchObject({ action: 'remove', stateful: true });
    expect(diff.warnings).toEqual([{ file: 'networking.yaml', logicalId: 'LogsBucket', type: 'AWS::S3::Bucket', action: 'delete', paths: [] }]);
    expect(renderMarkdown(diff, { base: 'main', head: 'working tree' })).toContain(
      '> - ⚠ **delete** `networking.yaml` LogsBucket (AWS::S3::Bucket) — no retain policy: the data is deleted',
    );
  });

  test.each<[string, (h: Map<string, Json>) => void, string, string, string, unknown, unknown, 'always' | 'conditional' | 'never']>([
    [
      'a table key schema change',
      (h) => (h.get('datastores.yaml')!.Resources.MetricsTable.Properties.KeySchema[1].AttributeName = 'ts'),
      'datastores.yaml',
      'MetricsTable',
      '/Properties/KeySchema/1/AttributeName',
      'sk',
      'ts',
      'always',
    ],
    [
      'a conditional-replacement property',
      (h) => (h.get('networking.yaml')!.Resources.AppVpc.Properties.InstanceTenancy = 'dedicated'),
      'networking.yaml',
      'AppVpc',
      '/Properties/InstanceTenancy',
      'default',
      'dedicated',
      'conditional',
    ],
    [
      'an in-place property change',
      (h) => (h.get('networking.yaml')!.Resources.LogsBucket.Properties.VersioningConfiguration.Status = 'Enabled'),
      'networking.yaml',
      'LogsBucket',
      '/Properties/VersioningConfiguration/Status',
      'Suspended',
      'Enabled',
      'never',
    ],
    [
      'a replacing top-level property',
      (h) => (h.get('networking.yaml')!.Resources.AppVpc.Properties.CidrBlock = '10.1.0.0/16'),
      'networking.yaml',
      'AppVpc',
      '/Properties/CidrBlock',
      '10.0.0.0/16',
      '10.1.0.0/16',
      'always',
    ],
    [
      'a nested property under a non-replacing parent',
      (h) => (h.get('datastores.yaml')!.Resources.MetricsTable.Properties.StreamSpecification.StreamViewType = 'NEW_IMAGE'),
      'datastores.yaml',
      'MetricsTable',
      '/Properties/StreamSpecification/StreamViewType',
      'NEW_AND_OLD_IMAGES',
      'NEW_IMAGE',
      'never',
    ],
  ])('forecasts %s', (_label, change, file, logicalId, path, before, after, replacement) => {
    const r = resource(diffWith(change), file, logicalId)!;
    expect(r.action).toBe('modify');
    expect(r.changes).toEqual([{ path, before, after, replacement }]);
    expect(r.replacement).toBe(replacement);
  });

  test('a replaced table is flagged stateful with the causing path', () => {
    const diff = diffWith((h) => (h.get('datastores.yaml')!.Resources.MetricsTable.Properties.KeySchema[1].AttributeName = 'ts'));
    expect(diff.warnings).toEqual([
      {
        file: 'datastores.yaml',
        logicalId: 'MetricsTable',
        type: 'AWS::DynamoDB::GlobalTable',
        action: 'replace',
        paths: ['/Properties/KeySchema/1/AttributeName'],
        deletionPolicy: 'Retain',
      },
    ]);
    const md = renderMarkdown(diff, { base: 'main', head: 'working tree' });
    expect(md.indexOf('⚠ **1 stateful resource would be replaced or deleted**')).toBeLessThan(md.indexOf('| File |'));
    expect(md).toContain(
      '> - ⚠ **replace** `datastores.yaml` MetricsTable (AWS::DynamoDB::GlobalTable) (/Properties/KeySchema/1/AttributeName) — UpdateReplacePolicy Retain: the old resource is kept but leaves the stack',
    );
    expect(md).toContain('  - `/Properties/KeySchema/1/AttributeName: "sk" → "ts"` · **replaces**');
  });

  test('a conditional replacement of a stateful resource is flagged as maybe', () => {
    // The real spec has "maybe" only on a few types (VPC, subnet, RDS); a stub spec puts one on a bucket.
    const head = structuredClone(base());
    head.get('networking.yaml')!.Resources.LogsBucket.Properties.VersioningConfiguration.Status = 'Enabled';
    const spec = () => ({ forecast: (type: string) => (type === 'AWS::S3::Bucket' ? ('conditional' as const) : ('never' as const)) });
    const diff = diffTrees({ before: base(), after: head, spec });
    expect(diff.warnings).toEqual([
      {
        file: 'networking.yaml',
        logicalId: 'LogsBucket',
        type: 'AWS::S3::Bucket',
        action: 'maybe replace',
        paths: ['/Properties/VersioningConfiguration/Status'],
      },
    ]);
  });

  test('the spec is not loaded when nothing is modified', () => {
    const head = structuredClone(base());
    head.get('datastores.yaml')!.Resources.OpsTopic = { Type: 'AWS::SNS::Topic', Properties: {} };
    const spec = jest.fn(replacementSpec);
    diffTrees({ before: base(), after: head, spec });
    expect(spec).not.toHaveBeenCalled();
  });

  test('a renamed logical ID is a removal plus an addition, noted as a probable rename', () => {
    const diff = diffWith((h) => {
      const r = h.get('datastores.yaml')!.Resources;
      r.MetricsTableV2 = r.MetricsTable;
      delete r.MetricsTable;
    });
    expect(resource(diff, 'datastores.yaml', 'MetricsTable')).toMatchObject({ action: 'remove', stateful: true, renamedTo: 'MetricsTableV2' });
    expect(resource(diff, 'datastores.yaml', 'MetricsTableV2')).toMatchObject({ action: 'add', renamedFrom: 'MetricsTable' });
    expect(diff.warnings.map((w) => [w.logicalId, w.action])).toEqual([['MetricsTable', 'delete']]);
  });

  test('parameter and output changes are listed with their paths', () => {
    const diff = diffWith((h) => {
      h.get('root.yaml')!.Parameters.Environment.Default = 'prod';
      h.get('root.yaml')!.Parameters.Symbols = { Type: 'String' };
      delete h.get('datastores.yaml')!.Outputs.MetricsTableName;
    });
    const entries = diff.files.flatMap((f) => f.entries.map((e) => [f.file, e.section, e.name, e.action, e.changes.map((c) => c.path)]));
    expect(entries).toEqual([
      ['root.yaml', 'Parameters', 'Environment', 'modify', ['/Parameters/Environment/Default']],
      ['root.yaml', 'Parameters', 'Symbols', 'add', []],
      ['datastores.yaml', 'Outputs', 'MetricsTableName', 'remove', []],
    ]);
  });

  test('a nested file removed from the tree removes all its resources', () => {
    const diff = diffWith((h) => h.delete('networking.yaml'));
    const f = diff.files.find((x) => x.file === 'networking.yaml')!;
    expect(f.action).toBe('remove');
    expect(f.stack).toBe('Networking');
    expect(f.resources.map((r) => [r.logicalId, r.action])).toEqual([
      ['AppVpc', 'remove'],
      ['LogsBucket', 'remove'],
    ]);
  });

  test('a comment longer than the limit keeps the warnings and the summary and cuts later files', () => {
    const diff = diffWith((h) => {
      delete h.get('networking.yaml')!.Resources.LogsBucket;
      h.get('datastores.yaml')!.Resources.AlertTopic.Properties.TopicName = 'x'.repeat(500);
    });
    const md = renderMarkdown(diff, { base: 'main', head: 'working tree', maxChars: 700 });
    expect(md).toContain('**delete** `networking.yaml` LogsBucket');
    expect(md).toContain('| `networking.yaml` (Networking) | 0 | 1 | 0 | 0 | 0 |');
    expect(md).toMatch(/… [12] more file\(s\) cut to fit a comment; run `npm run diff:templates -- --base main` locally/);
  });

  test('text output names the forecast per property', () => {
    const text = renderText(
      diffWith((h) => (h.get('datastores.yaml')!.Resources.MetricsTable.Properties.KeySchema[1].AttributeName = 'ts')),
      { base: 'main', head: 'working tree' },
    );
    expect(text).toContain('⚠ STATEFUL replace datastores.yaml MetricsTable (AWS::DynamoDB::GlobalTable)');
    expect(text).toContain('      /Properties/KeySchema/1/AttributeName: "sk" → "ts"  [REPLACES]');
  });
});

describe('value formatting and paths', () => {
  test.each<[unknown, string]>([
    [{ Ref: 'X' }, '!Ref X'],
    [{ 'Fn::GetAtt': ['A', 'Arn'] }, '!GetAtt A.Arn'],
    [{ 'Fn::Sub': '${A}-x' }, "!Sub '${A}-x'"],
    [{ 'Fn::If': ['C', 1, 2] }, '!If ["C", 1, 2]'],
    ['x'.repeat(100), `"${'x'.repeat(78)}…`],
  ])('formats %j', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });

  test('an element inserted into a list is one addition, not a shift of every later index', () => {
    const tag = (k: string) => ({ Key: k, Value: 'v' });
    expect(valueChanges([tag('A'), tag('C'), tag('D')], [tag('A'), tag('B'), tag('C'), tag('D')], '/Properties/Tags')).toEqual([
      { path: '/Properties/Tags/1', after: tag('B') },
    ]);
    expect(valueChanges([1, 2, 3], [1, 3], '/L')).toEqual([{ path: '/L/1', before: 2 }]);
  });

  test('intrinsics change as a whole and keys are escaped', () => {
    expect(valueChanges({ a: { Ref: 'X' }, 'b/c': 1 }, { a: { 'Fn::Sub': 'x' }, 'b/c': 2 })).toEqual([
      { path: '/a', before: { Ref: 'X' }, after: { 'Fn::Sub': 'x' } },
      { path: '/b~1c', before: 1, after: 2 },
    ]);
  });
});
