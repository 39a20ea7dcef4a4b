import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diffTemplates } from '../../../tools/lib/diff';
import { GitSourceError, readAtRef, readWorkingTree } from '../../../tools/lib/diff/sources';

const ROOT = `Resources:
  Datastores:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./datastores.yaml
`;
const TABLE = (sk: string) => `Resources:
  MetricsTable:
    Type: AWS::DynamoDB::GlobalTable
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      TableName: !Sub \${NamePrefix}-metrics
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
        - AttributeName: ${sk}
          KeyType: RANGE
      Replicas:
        - Region: !Ref AWS::Region
`;

describe('git-ref reader and diff:templates end to end', () => {
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' });

  beforeAll(async () => {
    repo = await mkdtemp(path.join(tmpdir(), 'diff-templates-'));
    git('init', '--quiet', '--initial-branch=main');
    await mkdir(path.join(repo, 'generated'));
    await writeFile(path.join(repo, 'generated', 'root.yaml'), ROOT);
    await writeFile(path.join(repo, 'generated', 'datastores.yaml'), TABLE('sk'));
    await writeFile(path.join(repo, 'README.md'), 'not a template\n');
    git('add', '.');
    git('commit', '--quiet', '-m', 'base');
    // Working tree: the key schema changes and a topic file appears.
    await writeFile(path.join(repo, 'generated', 'datastores.yaml'), TABLE('ts'));
    await writeFile(path.join(repo, 'generated', 'security.yaml'), 'Resources:\n  OpsTopic:\n    Type: AWS::SNS::Topic\n');
  });

  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  test('reads only the generated YAML files at the ref', async () => {
    const source = await readAtRef(repo, 'HEAD');
    expect([...source.texts.keys()]).toEqual(['datastores.yaml', 'root.yaml']);
    expect(source.texts.get('datastores.yaml')).toBe(TABLE('sk'));
  });

  test('reads the working tree', async () => {
    const source = await readWorkingTree(path.join(repo, 'generated'));
    expect([...source.texts.keys()]).toEqual(['datastores.yaml', 'root.yaml', 'security.yaml']);
  });

  test('an unknown ref is a one-line error saying what to do', async () => {
    await expect(readAtRef(repo, 'no-such-branch')).rejects.toThrow(GitSourceError);
    await expect(readAtRef(repo, 'no-such-branch')).rejects.toThrow(/git ref "no-such-branch" is not a commit .*fetch it first/);
  });

  test('diffs the ref against the working tree with a replacement forecast', async () => {
    const run = await diffTemplates({ cwd: repo, base: 'HEAD' });
    expect(run.diff.warnings).toEqual([
      {
        file: 'datastores.yaml',
        logicalId: 'MetricsTable',
        type: 'AWS::DynamoDB::GlobalTable',
        action: 'replace',
        paths: ['/Properties/KeySchema/1/AttributeName'],
        deletionPolicy: 'Retain',
        customName: 'TableName',
      },
    ]);
    expect(run.output).toContain('so CloudFormation will refuse the replacement until the name changes');
    expect(run.diff.files.map((f) => [f.file, f.stack, f.action])).toEqual([
      ['root.yaml', undefined, 'unchanged'],
      ['datastores.yaml', 'Datastores', 'modify'],
      ['security.yaml', undefined, 'add'],
    ]);
    expect(run.output).toContain('## Template changes: `HEAD` → `working tree`');
    expect(run.output).toContain('- ➕ `OpsTopic` (AWS::SNS::Topic)');
  });

  test('diffs two refs', async () => {
    git('add', '.');
    git('commit', '--quiet', '-m', 'head');
    const run = await diffTemplates({ cwd: repo, base: 'HEAD~1', head: 'HEAD', format: 'text' });
    expect(run.output.split('\n')[0]).toBe('template changes: HEAD~1 → HEAD');
    expect(run.output).toContain('~ MetricsTable (AWS::DynamoDB::GlobalTable) — stateful, replacement: always');
  });
});
