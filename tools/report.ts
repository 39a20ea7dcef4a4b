/**
 * npm run report [-- --out <dir>] [--generated <dir>] [--lint]
 *
 * The grader of `npm run grade` run on our own generated/: writes report/roadmap.md (every
 * bullet with its verdict and evidence, then the architecture diagram) and report/roadmap.json,
 * and prints the per-step table. generated/ must grade 100 % (a test keeps it so). Offline;
 * exits 0 whatever the grade (the report is the result), 2 on bad usage.
 *
 * report/ is gitignored: it is a pure function of the committed generated/ and the grader,
 * rebuilt offline in about a second, so a committed copy would only be a second artefact that can
 * go stale. The architecture diagram is committed in README.md, kept fresh by build:templates.
 */
import path from 'node:path';
import { runCli } from './lib/cli';
import { percent } from './lib/grade/render';
import { writeReport } from './lib/report/run';

const USAGE = `usage: npm run report [-- --out <dir>] [--generated <dir>] [--lint]
  --out <dir>        where roadmap.md and roadmap.json go (default: report)
  --generated <dir>  the templates to grade (default: generated)
  --lint             also run cfn-lint for the quality line (npm run validate runs it anyway)`;

runCli({ name: 'report', usage: USAGE, options: { out: { type: 'string' }, generated: { type: 'string' }, lint: { type: 'boolean' } } }, async ({ values }) => {
  const started = process.hrtime.bigint();
  const run = await writeReport({
    ...(values.out ? { outDir: values.out } : {}),
    ...(values.generated ? { generatedDir: values.generated } : {}),
    cfnLint: values.lint === true,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const g = run.grade;
  for (const s of g.steps) {
    const passed = s.bullets.filter((b) => b.verdict === 'pass').length;
    console.log(`step ${String(s.step).padStart(2)} ${s.title.padEnd(30)} ${passed}/${s.bullets.length}  ${percent(s.score).padStart(5)}`);
  }
  const bullets = g.steps.flatMap((s) => s.bullets);
  console.log(
    `overall ${bullets.filter((b) => b.verdict === 'pass').length}/${bullets.length} bullets pass; total ${percent(g.score, 1)} (roadmap ${percent(g.roadmapScore, 1)}, placement ${percent(g.placementScore, 1)}, quality ${percent(g.qualityScore, 1)})`,
  );
  for (const f of run.missing) console.warn(`warning: generated/${f} is missing; run npm run build:templates`);
  console.log(`wrote ${run.written.map((f) => path.relative(process.cwd(), f)).join(' and ')} in ${ms.toFixed(0)} ms`);
  return 0;
});
