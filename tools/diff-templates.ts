/**
 * npm run diff:templates -- --base <git-ref> [--head <git-ref>] [--format markdown|text] [--out <file>] [--fail-on-stateful]
 * Compares generated/*.yaml at a git ref with the working tree (or another ref) across the whole
 * tree — root, every nested template, standalone templates — without AWS credentials: resources
 * added, removed and modified with their property paths, a replacement forecast from the
 * CloudFormation spec, and stateful resources that would be replaced or deleted flagged first.
 * Exit codes: 0 done; 2 bad arguments; 3 with --fail-on-stateful when a stateful resource is at
 * risk; 1 anything else (unknown ref, unreadable template).
 */
import { writeFile } from 'node:fs/promises';
import { diffTemplates } from './lib/diff';

const USAGE = 'usage: npm run diff:templates -- --base <git-ref> [--head <git-ref>] [--format markdown|text] [--out <file>] [--fail-on-stateful]';

async function main(argv: string[]): Promise<number> {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (['--base', '--head', '--format', '--out', '--dir'].includes(a)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) {
        console.error(`diff:templates: ${a} needs a value (${USAGE})`);
        return 2;
      }
      values.set(a, v);
    } else if (a === '--fail-on-stateful' || a === '--debug') flags.add(a);
    else {
      console.error(`diff:templates: unknown argument ${a} (${USAGE})`);
      return 2;
    }
  }
  const base = values.get('--base');
  if (!base) {
    console.error(`diff:templates: --base is required (${USAGE})`);
    return 2;
  }
  const format = values.get('--format') ?? 'markdown';
  if (format !== 'markdown' && format !== 'text') {
    console.error(`diff:templates: --format must be markdown or text (got ${format})`);
    return 2;
  }
  const run = await diffTemplates({ base, head: values.get('--head'), format, dir: values.get('--dir') });
  const out = values.get('--out');
  if (out) await writeFile(out, run.output);
  else process.stdout.write(run.output);
  return flags.has('--fail-on-stateful') && run.diff.warnings.length > 0 ? 3 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message.startsWith('diff:templates') ? (error as Error).message : `diff:templates failed: ${(error as Error).message}`);
    if (process.argv.includes('--debug')) console.error(error);
    process.exit(1);
  },
);
