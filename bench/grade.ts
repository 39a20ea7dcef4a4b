/**
 * npm run bench:grade — grading a class of 40 submissions of ~1,500 lines each, whole-process
 * wall time of `npm run grade`'s command line (`node tools/run.cjs tools/grade.ts <40 folders>`),
 * medians, paired with `node -e 0`:
 * - the grader alone (`--no-lint`: parse, SAM expansion, 42 checks, placement, security rules,
 *   specification checks, every report written) — the bar of DESIGN §9 is < 10 s on 2 cores;
 * - the same with cfn-lint (when on PATH), which is an external linter we run, not our engine:
 *   ~1 s to start and ~15 ms per resource, in two processes; cold, and again from its cache;
 * - `npm run report` (the grader on generated/, ~330 KB), the measurement behind retiring the
 *   hand-written fast-yaml reader for the maintained `yaml` package.
 * The class is built from the hand-written fixtures of test/fixtures/submissions (never from
 * generated/): each submission is split-files plus the other fixtures under extras/, one stack
 * file left out in turn, and every file marked with the student's number so no two files are
 * byte-equal (the cfn-lint cache, keyed by content, cannot share work between students). cfn-lint
 * is measured cold (cache removed first) and warm (the class graded again, as after a rubric
 * change). Writes bench/results/grade.json.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOAD_NOTE, machine, median, wall as measureWall } from './measure';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LINT_RUNS = Number(process.env.BENCH_LINT_RUNS ?? 2);
const SUBMISSIONS = 40;
const root = path.resolve(__dirname, '..');
const fixtures = path.join(root, 'test/fixtures/submissions');

const wall = (command: string, args: string[]): number => measureWall(root, command, args);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** 40 submissions: split-files + the other fixtures as extras/, stack file `i mod n` left out. */
function buildClass(dir: string): { lines: number[]; folders: string[] } {
  const stacks = readdirSync(path.join(fixtures, 'split-files/stacks')).sort();
  const lines: number[] = [];
  const folders: string[] = [];
  for (let i = 0; i < SUBMISSIONS; i++) {
    const folder = path.join(dir, `student-${String(i + 1).padStart(2, '0')}`);
    cpSync(path.join(fixtures, 'split-files'), folder, { recursive: true });
    rmSync(path.join(folder, 'stacks', stacks[i % stacks.length]!));
    for (const extra of ['sam-app', 'json-longform', 'all-conditional', 'broken-yaml', 'unknown-type'])
      cpSync(path.join(fixtures, extra), path.join(folder, 'extras', extra), { recursive: true });
    const mark = `student-${i + 1}`;
    for (const f of filesUnder(folder)) {
      const text = readFileSync(f, 'utf8');
      writeFileSync(
        f,
        f.endsWith('.json')
          ? text.replace('"Description": "', `"Description": "${mark}: `).replace('"ParameterValue": "dev"', `"ParameterValue": "${mark}"`)
          : `${text}# ${mark}\n`,
      );
    }
    lines.push(filesUnder(folder).reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').length - 1, 0));
    folders.push(folder);
  }
  return { lines, folders };
}

const work = mkdtempSync(path.join(os.tmpdir(), 'bench-grade-'));
try {
  const { lines, folders } = buildClass(path.join(work, 'class'));
  const grade = (extra: string[]) => ['tools/run.cjs', 'tools/grade.ts', ...folders, '--out', path.join(work, 'out'), '--quiet', ...extra];
  wall(process.execPath, grade(['--no-lint'])); // warm the bundle, spec and page caches
  const node0: number[] = [];
  const engine: number[] = [];
  const report: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    node0.push(wall(process.execPath, ['-e', '0']));
    engine.push(wall(process.execPath, grade(['--no-lint'])));
    report.push(wall(process.execPath, ['tools/run.cjs', 'tools/report.ts', '--out', path.join(work, 'report')]));
  }
  const hasCfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
  const withLint: number[] = [];
  const withLintWarm: number[] = [];
  const lintCache = path.join(root, '.cache/grade/cfn-lint');
  if (hasCfnLint) {
    for (let i = 0; i < LINT_RUNS; i++) {
      rmSync(lintCache, { recursive: true, force: true });
      withLint.push(wall(process.execPath, grade([])));
      withLintWarm.push(wall(process.execPath, grade([])));
    }
  }
  const gradebook = readFileSync(path.join(work, 'out', 'gradebook.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  const result = {
    date: new Date().toISOString().slice(0, 10),
    machine: machine(),
    note: LOAD_NOTE,
    runs: RUNS,
    class: {
      submissions: SUBMISSIONS,
      graded: gradebook.length - 1,
      linesPerSubmission: { min: Math.min(...lines), max: Math.max(...lines), mean: Math.round(lines.reduce((a, b) => a + b, 0) / lines.length) },
    },
    medianSeconds: {
      nodeE0: Number(median(node0).toFixed(3)),
      gradeClassNoLint: Number(median(engine).toFixed(3)),
      ...(hasCfnLint
        ? { gradeClassWithCfnLintCold: Number(median(withLint).toFixed(3)), gradeClassWithCfnLintCached: Number(median(withLintWarm).toFixed(3)) }
        : {}),
      report: Number(median(report).toFixed(3)),
    },
    ...(hasCfnLint ? { cfnLintRuns: LINT_RUNS } : { cfnLint: 'not on PATH: not measured' }),
    bar: { gradeClassSeconds: 10, reportSeconds: 1 },
  };
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/grade.json'), `${JSON.stringify(result, null, 2)}\n`);
  const m = result.medianSeconds;
  console.log(
    `${SUBMISSIONS} submissions of ${result.class.linesPerSubmission.mean} lines (mean): grade ${m.gradeClassNoLint} s without cfn-lint (bar 10 s: ${m.gradeClassNoLint < 10 ? 'met' : 'MISSED'})` +
      `${'gradeClassWithCfnLintCold' in m ? `, with cfn-lint ${m.gradeClassWithCfnLintCold} s cold and ${m.gradeClassWithCfnLintCached} s cached` : ''} · npm run report ${m.report} s · node -e 0 ${m.nodeE0} s · load ${result.machine.loadAverage1m}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
