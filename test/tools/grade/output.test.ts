import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROADMAP } from '../../../templates-src/roadmap';
import { defaultRubric } from '../../../tools/lib/grade/rubric';
import { gradeAll } from '../../../tools/lib/grade/run';
import { fixture, NOT_IN_GIT } from './helpers';

const CLASS = ['split-files', 'json-longform', 'sam-app', 'broken-yaml', 'empty'];

async function writeClass(): Promise<{ dir: string; files: Map<string, string> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'grades-'));
  await gradeAll({ inputs: CLASS.map(fixture), rubric: defaultRubric(), outDir: dir, cfnLint: 'off', repoFacts: NOT_IN_GIT });
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(path.relative(dir, path.join(entry.parentPath, entry.name)), await readFile(path.join(entry.parentPath, entry.name), 'utf8'));
  }
  return { dir, files };
}

describe('the files an instructor gets', () => {
  let a: Awaited<ReturnType<typeof writeClass>>;
  let b: Awaited<ReturnType<typeof writeClass>>;
  beforeAll(async () => {
    [a, b] = [await writeClass(), await writeClass()];
  });
  afterAll(async () => {
    await rm(a.dir, { recursive: true, force: true });
    await rm(b.dir, { recursive: true, force: true });
  });

  test('per submission grade.md and grade.json, and the class gradebook.csv and gradebook.md', () => {
    expect([...a.files.keys()].sort()).toEqual(['gradebook.csv', 'gradebook.md', ...CLASS.flatMap((n) => [`${n}/grade.json`, `${n}/grade.md`])].sort());
  });

  test('are deterministic: the same input gives the same bytes', () => {
    expect(b.files).toEqual(a.files);
  });

  test('grade.json has the documented shape, every step in order, scores in [0, 1]', () => {
    const g = JSON.parse(a.files.get('split-files/grade.json')!);
    expect(Object.keys(g)).toEqual(expect.arrayContaining(['submission', 'score', 'parseErrors', 'steps']));
    expect(g.submission).toBe('split-files');
    expect(g.steps.map((s: { step: number; title: string }) => [s.step, s.title])).toEqual(ROADMAP.map((s) => [s.step, s.title]));
    const b11 = g.steps[0].bullets[0];
    expect(Object.keys(b11)).toEqual(expect.arrayContaining(['id', 'verdict', 'score', 'optional', 'evidence']));
    expect(b11.evidence[0]).toMatchObject({ file: 'stacks/vpc.yaml', logicalId: 'AppVpc', type: 'AWS::EC2::VPC' });
    const scores = [
      g.score,
      ...g.steps.map((s: { score: number }) => s.score),
      ...g.steps.flatMap((s: { bullets: { score: number }[] }) => s.bullets.map((x) => x.score)),
    ];
    expect(scores.every((x: number) => x >= 0 && x <= 1)).toBe(true);
    const missed = g.steps
      .flatMap((s: { bullets: { verdict: string; hint?: string }[] }) => s.bullets)
      .filter((x: { verdict: string }) => x.verdict !== 'pass');
    expect(missed.every((x: { hint?: string }) => typeof x.hint === 'string')).toBe(true);
  });

  test('gradebook.csv: one row per submission, one column per step, total and parse errors', () => {
    const [header, ...rows] = a.files.get('gradebook.csv')!.trimEnd().split('\n');
    expect(header).toBe(`submission,${ROADMAP.map((s) => `step${s.step}`).join(',')},roadmap,placement,quality,total,parse_errors`);
    expect(rows.map((r) => r.split(',')[0])).toEqual([...CLASS].sort());
    const broken = rows.find((r) => r.startsWith('broken-yaml,'))!.split(',');
    expect(broken).toHaveLength(ROADMAP.length + 6);
    expect(broken[broken.length - 1]).toBe('1');
    expect(rows.find((r) => r.startsWith('empty,'))).toBe(`empty,${ROADMAP.map(() => '0.0').join(',')},0.0,0.0,0.0,0.0,0`);
  });

  test('gradebook.md links each submission to its report', () => {
    const md = a.files.get('gradebook.md')!;
    expect(md).toContain('| [split-files](split-files/grade.md) |');
    expect(md).toContain('5 submissions, rubric default.');
  });

  test('grade.md: per step the score, then every bullet with verdict, evidence and hint; then quality', () => {
    const md = a.files.get('split-files/grade.md')!;
    expect(md).toContain('## Step 1 – Networking: 90 %');
    expect(md).toContain('- **1.4 Add VPC Endpoints (S3, DynamoDB, Logs, STS, KMS, Secrets)** — 🟡 partial (83 %)');
    expect(md).toContain('    - `stacks/vpc.yaml:12` AppVpc (AWS::EC2::VPC) · Properties.CidrBlock');
    expect(md).toContain('  - Hint: 1.4: found gateway endpoint for s3');
    expect(md).toContain('Roadmap file: `networking.yaml`. Found in `stacks/vpc.yaml`: placement 0 % (0/13 parts).');
    expect(md.indexOf('## Quality')).toBeGreaterThan(md.indexOf('## Step 11'));
    expect(md).toContain('cfn-lint did not run (switched off (--no-lint or the rubric))');
  });
});
