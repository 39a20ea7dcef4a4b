/**
 * npm run report [-- --out <dir>] [--generated <dir>]
 * Writes report/roadmap.md and report/roadmap.json: every roadmap bullet, the resources that
 * implement it (Metadata.Roadmap of every template), a pass/fail from one concrete check per
 * bullet, totals per step, and the architecture diagram. Offline; exits 0 even when bullets fail
 * (the report is the result), 1 when the templates cannot be read.
 *
 * report/ is meant to be gitignored, not committed: it is a pure function of the committed
 * generated/ templates and tools/lib/report/, rebuilt offline in well under a second, so a
 * committed copy would only add a second artefact that can go stale (and a noisy diff on every
 * template change). Reviewers get the change report on each pull request (diff:templates) and the
 * architecture diagram is committed in README.md, kept fresh by build:templates --check.
 */
import path from 'node:path';
import { writeReport } from './lib/report/run';

async function main(argv: string[]): Promise<number> {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const known = new Set(['--out', '--generated']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (known.has(a)) {
      if (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) {
        console.error(`report: ${a} needs a directory (usage: npm run report [-- --out <dir>] [--generated <dir>])`);
        return 2;
      }
      i++;
    } else if (a !== '--debug') {
      console.error(`report: unknown argument ${a} (usage: npm run report [-- --out <dir>] [--generated <dir>])`);
      return 2;
    }
  }
  const started = process.hrtime.bigint();
  const run = await writeReport({ outDir: value('--out'), generatedDir: value('--generated') });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  for (const s of run.report.steps) console.log(`step ${String(s.step).padStart(2)} ${s.title.padEnd(30)} ${s.passed}/${s.total}`);
  console.log(`overall ${run.report.passed}/${run.report.total} bullets pass`);
  for (const f of run.missing) console.warn(`warning: generated/${f} is missing; run npm run build:templates`);
  console.log(`wrote ${run.written.map((f) => path.relative(process.cwd(), f)).join(' and ')} in ${ms.toFixed(0)} ms`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`report failed: ${(error as Error).message}`);
    if (process.argv.includes('--debug')) console.error(error);
    process.exit(1);
  },
);
