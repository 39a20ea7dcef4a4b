import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { balance, parseCfnLintJson, runCfnLint } from '../../../tools/lib/validate/cfn-lint';

/** The shape `cfn-lint --format json` (1.x) prints, trimmed to what we read. */
const REPORT = [
  {
    Filename: 'generated/networking.yaml',
    Level: 'Error',
    Location: {
      Start: { LineNumber: 42, ColumnNumber: 7 },
      End: { LineNumber: 42, ColumnNumber: 20 },
      Path: ['Resources', 'AppVpc', 'Properties', 'CidrBlock'],
    },
    Message: "'10.0.0.0/33' is not a 'ipv4-network'",
    Rule: { Id: 'E3031', Source: 'https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/format_keyword.md' },
  },
  {
    Filename: 'generated/root.yaml',
    Level: 'Warning',
    Location: { Start: { LineNumber: 6, ColumnNumber: 3 }, Path: ['Parameters', 'Symbols'] },
    Message: 'Parameter Symbols not used.',
    Rule: { Id: 'W2001', Source: 'https://github.com/aws-cloudformation/cfn-lint' },
  },
  {
    Filename: 'generated/root.yaml',
    Level: 'Informational',
    Location: { Start: { LineNumber: 1, ColumnNumber: 1 }, Path: [] },
    Message: 'info',
    Rule: { Id: 'I1022' },
  },
];

test('cfn-lint JSON matches become findings with file, logical ID, path, rule and level', () => {
  expect(parseCfnLintJson(JSON.stringify(REPORT))).toEqual([
    expect.objectContaining({
      file: 'networking.yaml',
      logicalId: 'AppVpc',
      path: 'Properties.CidrBlock (line 42)',
      rule: 'cfn-lint/E3031',
      severity: 'error',
    }),
    expect.objectContaining({ file: 'root.yaml', logicalId: 'Symbols', path: 'line 6', rule: 'cfn-lint/W2001', severity: 'warning' }),
    expect.objectContaining({ file: 'root.yaml', logicalId: '(template)', path: 'line 1', rule: 'cfn-lint/I1022', severity: 'info' }),
  ]);
});

test('a missing cfn-lint is reported as skipped, not as a failure', async () => {
  const result = await runCfnLint(['generated/root.yaml'], { command: 'cfn-lint-that-does-not-exist' });
  expect(result).toEqual({ ran: false, reason: expect.stringMatching(/not on PATH/) });
});

describe('with a stand-in cfn-lint executable', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cfn-lint-'));
    const script = path.join(dir, 'cfn-lint');
    // Prints its arguments' report like cfn-lint does, exiting 2 (errors found) as cfn-lint does.
    await writeFile(
      script,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "cfn-lint 1.51.0"; exit 0; fi\necho "$*" > "${dir}/args"\necho '${JSON.stringify(REPORT.slice(0, 1))}'\nexit 2\n`,
    );
    await chmod(script, 0o755);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  test('runs with W3002 ignored and returns its findings', async () => {
    const result = await runCfnLint(['generated/networking.yaml'], { command: path.join(dir, 'cfn-lint') });
    expect(result).toEqual({ ran: true, version: 'cfn-lint 1.51.0', findings: [expect.objectContaining({ rule: 'cfn-lint/E3031', logicalId: 'AppVpc' })] });
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path.join(dir, 'args'), 'utf8')).toBe('--format json --ignore-checks W3002 -- generated/networking.yaml\n');
  });
});

test('balance splits files into groups of similar size', () => {
  const sizes = new Map([
    ['a', 100],
    ['b', 60],
    ['c', 50],
    ['d', 10],
  ]);
  expect(balance(['a', 'b', 'c', 'd'], sizes, 2)).toEqual([
    ['a', 'd'],
    ['b', 'c'],
  ]);
  expect(balance(['a'], sizes, 4)).toEqual([['a']]);
  expect(balance(['a', 'b'], sizes, 1)).toEqual([['a', 'b']]);
});
