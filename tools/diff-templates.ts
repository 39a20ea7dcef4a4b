/**
 * npm run diff:templates -- --base <git-ref> [--head <git-ref>] [--format markdown|text] [--out <file>] [--fail-on-stateful]
 * Compares generated/*.yaml at a git ref with the working tree (or another ref) across the whole
 * tree — root, every nested template, standalone templates — without AWS credentials: resources
 * added, removed and modified with their property paths, a replacement forecast from the
 * CloudFormation spec, stateful resources that would be replaced or deleted flagged first, and
 * the monthly cost delta for each parameter file (`npm run cost`'s engine).
 * Exit codes: 0 done; 2 bad arguments; 3 with --fail-on-stateful when a stateful resource is at
 * risk; 1 anything else (unknown ref, unreadable template).
 */
import { writeFile } from 'node:fs/promises';
import { runCli } from './lib/cli';
import { UsageError } from './lib/errors';
import { diffTemplates } from './lib/diff';

const USAGE = [
  'usage: npm run diff:templates -- --base <git-ref> [options]',
  '',
  '  --base <git-ref>        the side to compare against (e.g. origin/main)',
  '  --head <git-ref>        the other side (default: the working tree)',
  '  --format markdown|text  Markdown for a pull request (default) or plain text',
  '  --out <file>            write the report there instead of stdout',
  '  --dir <dir>             templates directory in the repository (default: generated)',
  '  --fail-on-stateful      exit 3 when a stateful resource would be replaced or deleted',
  '  --cost-params <file>    parameter file for the monthly cost delta (repeatable; default: every parameters/*.json)',
  '  --without-cost          leave the cost delta out',
].join('\n');

runCli(
  {
    name: 'diff:templates',
    usage: USAGE,
    options: {
      base: { type: 'string' },
      head: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      dir: { type: 'string' },
      'fail-on-stateful': { type: 'boolean' },
      'cost-params': { type: 'string', multiple: true },
      'without-cost': { type: 'boolean' },
    },
  },
  async ({ values }) => {
    if (!values.base) throw new UsageError('--base is required, e.g. --base origin/main');
    const format = values.format ?? 'markdown';
    if (format !== 'markdown' && format !== 'text') throw new UsageError(`--format must be markdown or text (got '${format}')`);
    const costParams = values['without-cost'] ? false : values['cost-params'];
    const run = await diffTemplates({ base: values.base, head: values.head, format, dir: values.dir, ...(costParams !== undefined ? { costParams } : {}) });
    if (values.out) await writeFile(values.out, run.output);
    else process.stdout.write(run.output);
    return values['fail-on-stateful'] && run.diff.warnings.length > 0 ? 3 : 0;
  },
);
