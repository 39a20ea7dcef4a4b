import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');

function grade(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/run.cjs', 'tools/grade.ts', ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run grade', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'grade-cli-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  test('grades a class: one line per submission, the gradebook written, exit 0', async () => {
    const r = grade('test/fixtures/submissions/json-longform', 'test/fixtures/submissions/broken-yaml', '--out', out, '--no-lint');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^broken-yaml\s+\d+\.\d %\s+roadmap .* 1 parse error$/);
    expect(lines[1]).toMatch(/^json-longform\s+\d+\.\d %/);
    expect(r.stdout).toContain('2 submissions graded in ');
    expect(await readFile(path.join(out, 'gradebook.csv'), 'utf8')).toMatch(/^submission,step1,/);
    expect(r.stderr).toBe('');
  });

  test('a single submission also prints the per-step table', () => {
    const r = grade('test/fixtures/submissions/sam-app', '--out', out, '--no-lint');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nstep {2}1 Networking\s+0 % {2}0 pass, 5 fail\n/);
    expect(r.stdout).toMatch(/\nstep 11 CI\/CD & IaC\s+\d+ %/);
  });

  test('a rubric with an unknown key is exit 2 with "did you mean", and no stack trace', async () => {
    const rubric = path.join(out, 'rubric.json');
    await writeFile(rubric, JSON.stringify({ wieghts: { quality: 0.2 } }));
    const r = grade('test/fixtures/submissions/empty', '--rubric', rubric, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`grade: ${rubric}: wieghts: unknown key (did you mean weights?)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test.each<[string, string[], RegExp]>([
    ['no submission', [], /^grade: name at least one submission/],
    ['a missing submission', ['test/fixtures/submissions/nobody'], /^grade: test\/fixtures\/submissions\/nobody: no such folder or file/],
    ['an unknown flag', ['--rubrik', 'x'], /^grade: Unknown option '--rubrik'/],
  ])('%s is exit 2 with a one-line message', (_label, args, message) => {
    const r = grade(...args, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
