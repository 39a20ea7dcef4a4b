/**
 * npm run validate [-- --dir <generated>] [--json] [--no-cfn-lint] [--rules]
 *
 * Validates generated/*.yaml with the registry (spec, references, root ↔ child contract, limits,
 * security and deployability policy) and cfn-lint when it is on PATH. Prints every finding, one
 * line each:
 *   generated/<file>: <LogicalId>: <property path>: <rule-id>: [warning: |info: ]<message> (<fix>)
 * then a summary. Exits 1 when there is any error (warnings and infos do not fail), 2 on bad usage
 * (tools/lib/cli.ts). `--rules` prints the rule catalog (with `--json`: with each rule's explanation).
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { runCli } from './lib/cli';
import { countBySeverity, formatFinding, readTemplates, runCfnLint, RULE_CATALOG, validateTemplates, type Finding } from './lib/validate';
import { projectRegistry } from './lib/validate/registry';

const USAGE = [
  'usage: npm run validate [-- --dir <generated>] [--json] [--no-cfn-lint] [--rules]',
  '  --dir <dir>     templates to validate (default: generated)',
  '  --json          one JSON document instead of lines',
  '  --no-cfn-lint   skip cfn-lint even when it is installed',
  '  --rules         print the rule catalog and exit',
  '  --debug         stack traces on failure',
].join('\n');

const spec = {
  name: 'validate',
  usage: USAGE,
  options: {
    dir: { type: 'string' },
    json: { type: 'boolean' },
    'no-cfn-lint': { type: 'boolean' },
    rules: { type: 'boolean' },
  },
} as const;

runCli(spec, async ({ values }) => {
  if (values.rules) {
    if (values.json) console.log(JSON.stringify(RULE_CATALOG, null, 2));
    else for (const r of RULE_CATALOG) console.log(`${r.id.padEnd(28)} ${r.severity.padEnd(13)} ${r.info}`);
    return 0;
  }
  const started = process.hrtime.bigint();
  const dir = path.resolve(values.dir ?? 'generated');
  const dirLabel = path.relative(process.cwd(), dir) || '.';
  const { files, findings: parseFindings } = await readTemplates(dir);
  // cfn-lint is a separate process of a few seconds: start it first and validate meanwhile.
  const paths = files.map((f) => path.join(dirLabel, f.file));
  const sizes = new Map(files.map((f, i) => [paths[i]!, f.text?.length ?? 0]));
  const lint = values['no-cfn-lint'] ? undefined : runCfnLint(paths, { processes: availableParallelism(), sizes });
  const result = validateTemplates(files, projectRegistry());
  const findings: Finding[] = [...parseFindings, ...result.findings];
  let lintLine: string;
  if (!lint) lintLine = 'cfn-lint: skipped (--no-cfn-lint)';
  else {
    const outcome = await lint;
    if (outcome.ran) {
      findings.push(...outcome.findings);
      lintLine = `cfn-lint: ${outcome.version}, ${outcome.findings.length} finding(s)`;
    } else lintLine = `cfn-lint: skipped: ${outcome.reason}`;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const counts = countBySeverity(findings);
  if (values.json) {
    console.log(
      JSON.stringify(
        { dir: dirLabel, templates: result.templates, resources: result.resources, counts, seconds: Number(seconds.toFixed(2)), cfnLint: lintLine, findings },
        null,
        2,
      ),
    );
  } else {
    const ordered = [...findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? 1 : b.severity === 'error' ? -1 : 0));
    for (const f of ordered) (f.severity === 'error' ? console.error : console.log)(formatFinding(f, dirLabel));
    console.log(lintLine);
    console.log(
      `validate: ${result.templates} templates, ${result.resources} resources checked in ${seconds.toFixed(2)} s: ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info`,
    );
  }
  return counts.error > 0 ? 1 : 0;
});
