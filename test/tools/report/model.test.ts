import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emitTemplate } from '../../../templates-src/lib/yaml';
import { loadTree, subVariables, TemplateTree } from '../../../tools/lib/report/model';
import { writeReport } from '../../../tools/lib/report/run';
import { fixtureTree } from './fixture-tree';

describe('template tree resolver', () => {
  const tree = new TemplateTree(fixtureTree());

  test.each<[string, string, unknown, string[]]>([
    ['a local !Ref', 'data-lake.yaml', { Ref: 'RawBucket' }, ['data-lake.yaml#RawBucket']],
    ['a parameter wired from another stack output', 'compute.yaml', { Ref: 'MetricsTableName' }, ['datastores.yaml#MetricsTable']],
    ['a !Sub variable through two hops', 'data-lake.yaml', { 'Fn::Sub': 'x-${DataLakeKeyArn}' }, ['security.yaml#DataLakeKey']],
    ['both !If branches', 'data-lake.yaml', { 'Fn::If': ['C', { Ref: 'RawBucket' }, { Ref: 'ProcessedBucket' }] }, ['data-lake.yaml#RawBucket', 'data-lake.yaml#ProcessedBucket']],
    ['pseudo parameters to nothing', 'compute.yaml', { 'Fn::Sub': '${AWS::Region}' }, []],
    ['a root parameter to nothing', 'compute.yaml', { Ref: 'StockDropPercent' }, []],
  ])('resolves %s', (_label, file, value, expected) => {
    expect(tree.resolve(file, value).map((r) => `${r.file}#${r.logicalId}`)).toEqual(expected);
  });

  test('follows a child parameter up to the root parameter it comes from', () => {
    expect(tree.rootParameters('compute.yaml', { Ref: 'StockDropPercent' })).toEqual(['StockDropPercent']);
  });

  test('knows which stack nests each file', () => {
    expect([tree.stackIdOf('datastores.yaml'), tree.stackIdOf('root.yaml')]).toEqual(['Datastores', undefined]);
  });

  test('reads !Sub variables but not ${!Literal}', () => {
    expect(subVariables('${A}-${B.Arn}-${!C}-${AWS::Region}')).toEqual(['A', 'B.Arn', 'AWS::Region']);
  });
});

describe('writeReport', () => {
  let project: string;
  beforeAll(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'report-'));
    await mkdir(path.join(project, 'generated'));
    for (const f of fixtureTree()) await writeFile(path.join(project, 'generated', f.file), emitTemplate(f.template, { header: [`${f.file}: fixture`] }));
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  test('loads the YAML files the registry names', async () => {
    const tree = await loadTree(path.join(project, 'generated'), ['root.yaml', 'compute.yaml', 'missing.yaml']);
    expect(tree.files.map((f) => f.file)).toEqual(['root.yaml', 'compute.yaml']);
  });

  test('writes roadmap.md and roadmap.json from generated/ (outside git: 11.2 fails)', async () => {
    const run = await writeReport({ projectDir: project });
    expect(run.written).toEqual([path.join(project, 'report', 'roadmap.md'), path.join(project, 'report', 'roadmap.json')]);
    const json = JSON.parse(await readFile(path.join(project, 'report', 'roadmap.json'), 'utf8'));
    expect(json.total).toBe(run.report.total);
    const git = json.steps[10].bullets[1];
    expect([git.id, git.status, git.reason]).toEqual(['11.2', 'fail', 'the project is not a git work tree']);
    expect(run.missing).toEqual(expect.arrayContaining(['analytics.yaml', 'dashboards.yaml']));
    const md = await readFile(path.join(project, 'report', 'roadmap.md'), 'utf8');
    expect(md).toContain('Streaming_Api -- PutRecords --> Streaming_Stream');
  });
});
