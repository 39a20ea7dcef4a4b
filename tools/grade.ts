/**
 * npm run grade -- <submission>... [--out <dir>] [--rubric <file>] [--no-lint] [--quiet]
 *
 * Grades students' templates against the roadmap: every bullet pass/partial/fail with evidence
 * and a hint, per-step scores, placement and quality lines, by the rubric's weights. Writes
 * <out>/<name>/grade.md and grade.json per submission and <out>/gradebook.csv and gradebook.md;
 * prints one line per submission (and the step table for a single one). Exit 0 when the grades are
 * written (whatever they are), 2 for bad usage, an unreadable rubric or a missing submission.
 */
import path from 'node:path';
import { runCli } from './lib/cli';
import { gradeAll } from './lib/grade/run';
import { percent, stepTable, summaryLine } from './lib/grade/render';
import { defaultRubric, loadRubric } from './lib/grade/rubric';

const USAGE = `usage: npm run grade -- <submission>... [--out <dir>] [--rubric <file>] [--no-lint] [--quiet]
  <submission>     a student's folder (every *.yaml, *.yml, *.json, *.template under it) or one template file
  --out <dir>      where grade.md/grade.json per submission and gradebook.csv/.md go (default: grades)
  --rubric <file>  an instructor's rubric (JSON; see tools/lib/grade/default-rubric.json and rubric.schema.json)
  --no-lint        do not run cfn-lint even when it is on PATH
  --quiet          print only the gradebook paths`;

runCli(
  {
    name: 'grade',
    usage: USAGE,
    allowPositionals: true,
    options: { out: { type: 'string' }, rubric: { type: 'string' }, 'no-lint': { type: 'boolean' }, quiet: { type: 'boolean' } },
  },
  async ({ values, positionals }) => {
    const rubric = values.rubric !== undefined ? await loadRubric(values.rubric) : defaultRubric();
    const outDir = path.resolve(values.out ?? 'grades');
    const started = process.hrtime.bigint();
    const run = await gradeAll({ inputs: positionals, rubric, outDir, ...(values['no-lint'] ? { cfnLint: 'off' as const } : {}) });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (!values.quiet) {
      const width = Math.max(...run.grades.map((g) => g.submission.length));
      for (const g of run.grades) console.log(summaryLine(g, width));
      if (run.grades.length === 1) console.log(`\n${stepTable(run.grades[0]!)}`);
      const lint =
        run.lint.linter === 'cfn-lint'
          ? `cfn-lint ${run.lint.version.replace(/^cfn-lint /, '')}`
          : `no cfn-lint (${run.lint.reason}; specification checks instead)`;
      const mean = run.grades.reduce((s, g) => s + g.score, 0) / run.grades.length;
      console.log(
        `\n${run.grades.length} submission${run.grades.length === 1 ? '' : 's'} graded in ${seconds.toFixed(1)} s (mean ${percent(mean, 1)}; rubric ${rubric.source}; ${lint})`,
      );
    }
    const rel = (f: string) => path.relative(process.cwd(), f) || '.';
    console.log(
      `wrote ${rel(path.join(outDir, 'gradebook.md'))}, ${rel(path.join(outDir, 'gradebook.csv'))} and <name>/grade.md, grade.json under ${rel(outDir)}/`,
    );
    return 0;
  },
);
