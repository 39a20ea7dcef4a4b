/**
 * npm run cost -- --params <file> [--region r] [--format md|json] [--detail] [--primary-only] [--parameter K=V …]
 * The monthly cost of a deployment, offline: per stack and per resource, fixed (idle) and usage,
 * the top five drivers with what removes or reduces each, unpriced lines listed, and the
 * MonthlyBudgetUsd the deploy tool gives it (derived from this estimate unless the file sets one).
 * Exit codes: 0 done; 2 bad flags or parameter file; 1 anything else.
 */
import { estimateParameterFile, renderMarkdown, toJson } from './lib/cost';
import { regionFlag, runCli } from './lib/cli';
import { UsageError } from './lib/errors';

const USAGE = [
  'usage: npm run cost -- --params <file> [options]',
  '',
  '  --params <file>       parameter file (a path, or a name in parameters/: dev.json, prod)',
  "  --region <region>     region of the root stack (default: the file's regions.primary)",
  '  --format md|json      Markdown (default) or JSON',
  '  --detail              Markdown: every priced line of every resource',
  '  --primary-only        leave out the secondary-region stack (whatever toggles.secondaryStack says)',
  '  --parameter K=V       override a root parameter, as npm run deploy takes it (repeatable)',
  '  --templates <dir>     templates to read (default: generated)',
].join('\n');

runCli(
  {
    name: 'cost',
    usage: USAGE,
    options: {
      params: { type: 'string' },
      region: { type: 'string' },
      format: { type: 'string' },
      detail: { type: 'boolean' },
      'primary-only': { type: 'boolean' },
      parameter: { type: 'string', multiple: true },
      templates: { type: 'string' },
    },
  },
  async ({ values }) => {
    if (!values.params) throw new UsageError('--params is required, e.g. --params dev.json');
    const format = values.format ?? 'md';
    if (format !== 'md' && format !== 'json') throw new UsageError(`--format must be md or json (got '${format}')`);
    const run = await estimateParameterFile({
      params: values.params,
      ...(values.region ? { region: regionFlag('region', values.region) } : {}),
      overrides: values.parameter ?? [],
      secondary: values['primary-only'] !== true,
      ...(values.templates ? { templatesDir: values.templates } : {}),
    });
    if (format === 'json') process.stdout.write(`${JSON.stringify(toJson(run.estimate, run.drivers, run.budget), null, 2)}\n`);
    else
      process.stdout.write(
        renderMarkdown(run.estimate, run.drivers, { title: `${run.file.stackName} (${run.displayName})`, detail: values.detail === true, budget: run.budget }),
      );
    return 0;
  },
);
