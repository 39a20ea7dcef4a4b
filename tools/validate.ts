/**
 * npm run validate [-- --dir <generated>] [--json] [--no-cfn-lint] [--rules]
 *
 * Validates generated/*.yaml with the registry (spec, references, root ↔ child contract, limits,
 * security policy) and cfn-lint when it is on PATH. Prints every finding, one line each:
 *   generated/<file>: <LogicalId>: <property path>: <rule-id>: [warning: |info: ]<message> (<fix>)
 * then a summary. Exits 1 when there is any error (warnings and infos do not fail), 2 on bad usage.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { countBySeverity, formatFinding, readTemplates, runCfnLint, RULE_CATALOG, validateTemplates, type Finding } from './lib/validate';
import { projectRegistry } from './lib/validate/registry';

const USAGE = 'usage: npm run validate [-- --dir <generated>] [--json] [--no-cfn-lint] [--rules]';

interface Flags {
  readonly dir: string;
  readonly json: boolean;
  readonly cfnLint: boolean;
  readonly rules: boolean;
}

function parseFlags(argv: readonly string[]): Flags | string {
  let dir = 'generated';
  let json = false;
  let cfnLint = true;
  let rules = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--dir') {
      const value = argv[++i];
      if (value === undefined) return `validate: --dir needs a directory (${USAGE})`;
      dir = value;
    } else if (arg === '--json') json = true;
    else if (arg === '--no-cfn-lint') cfnLint = false;
    else if (arg === '--rules') rules = true;
    else return `validate: unknown argument ${arg} (${USAGE})`;
  }
  return { dir, json, cfnLint, rules };
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (typeof flags === 'string') {
    console.error(flags);
    return 2;
  }
  if (flags.rules) {
    for (const r of RULE_CATALOG) console.log(`${r.id.padEnd(28)} ${r.severity.padEnd(13)} ${r.info}`);
    return 0;
  }
  const started = process.hrtime.bigint();
  const dir = path.resolve(flags.dir);
  const dirLabel = path.relative(process.cwd(), dir) || '.';
  const { files, findings: parseFindings } = await readTemplates(dir);
  // cfn-lint is a separate process of a few seconds: start it first and validate meanwhile.
  const paths = files.map((f) => path.join(dirLabel, f.file));
  const sizes = new Map(files.map((f, i) => [paths[i]!, f.text?.length ?? 0]));
  const lint = flags.cfnLint ? runCfnLint(paths, { processes: availableParallelism(), sizes }) : undefined;
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
  if (flags.json) {
    console.log(JSON.stringify({ dir: dirLabel, templates: result.templates, resources: result.resources, counts, seconds: Number(seconds.toFixed(2)), cfnLint: lintLine, findings }, null, 2));
  } else {
    const ordered = [...findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? 1 : b.severity === 'error' ? -1 : 0));
    for (const f of ordered) (f.severity === 'error' ? console.error : console.log)(formatFinding(f, dirLabel));
    console.log(lintLine);
    console.log(
      `validate: ${result.templates} templates, ${result.resources} resources checked in ${seconds.toFixed(2)} s: ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info`,
    );
  }
  return counts.error > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`validate failed: ${(error as Error).message}`);
    if (process.argv.includes('--debug')) console.error(error);
    process.exit(1);
  },
);
