import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultRubric, parseRubric } from '../../../tools/lib/grade/rubric';
import { gradeAll } from '../../../tools/lib/grade/run';
import { fixture, gradeFixture, NOT_IN_GIT } from './helpers';

const HAS_CFN_LINT = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAS_CFN_LINT) console.warn('cfn-lint is not on PATH: the cfn-lint quality test is skipped (pip install cfn-lint)');

describe('the quality line', () => {
  test('our security rules deduct per finding, naming the rule and the resource; the fix is the rule, not our helpers', async () => {
    const q = (await gradeFixture('split-files')).quality;
    const tls = q.findings.filter((f) => f.rule === 's3-tls-only').map((f) => `${f.file}:${f.line} ${f.logicalId}`);
    expect(tls).toEqual(['stacks/insights.yaml:49 QueryResults', 'stacks/lake.yaml:11 RawBucket', 'stacks/lake.yaml:38 ProcessedBucket']);
    expect(q.findings.find((f) => f.rule === 'iam-no-wildcard-actions')).toMatchObject({
      file: 'stacks/lambdas.yaml',
      logicalId: 'FunctionRole',
      severity: 'error',
      source: 'security',
    });
    expect(q.findings.every((f) => !/encryptedBucket|tlsOnly\(\)|StreamingKeyArn/.test(f.fix))).toBe(true);
    expect(q.score).toBeCloseTo(
      1 - 0.05 * q.findings.filter((f) => f.severity === 'error').length - 0.01 * q.findings.filter((f) => f.severity === 'warning').length,
      6,
    );
  });

  test('the rubric chooses the rules and the deductions', async () => {
    const rubric = parseRubric({ quality: { securityRules: ['s3-tls-only'], deductions: { error: 0.2 } } }, 'r.json');
    const q = (await gradeFixture('split-files', rubric)).quality;
    expect([...new Set(q.findings.filter((f) => f.source === 'security').map((f) => f.rule))]).toEqual(['s3-tls-only']);
    expect(q.score).toBeCloseTo(Math.max(0, 1 - 0.2 * q.findings.filter((f) => f.severity === 'error').length), 6);
  });

  test('without cfn-lint the grade says so and the specification checks stand in', async () => {
    const run = await gradeAll({ inputs: [fixture('unknown-type')], rubric: defaultRubric(), cfnLintCommand: 'cfn-lint-not-installed', repoFacts: NOT_IN_GIT });
    expect(run.lint).toEqual({
      linter: 'specification',
      reason: 'cfn-lint-not-installed is not on PATH (pip install cfn-lint; the GitHub workflow installs it)',
    });
    expect(run.grades[0]!.quality.findings.filter((f) => f.rule === 'unknown-resource-type')).toHaveLength(2);
  });

  (HAS_CFN_LINT ? test : test.skip)(
    'with cfn-lint: its errors and warnings per file, with lines (one run for the whole class)',
    async () => {
      const run = await gradeAll({ inputs: [fixture('split-files'), fixture('unknown-type')], rubric: defaultRubric(), repoFacts: NOT_IN_GIT });
      expect(run.lint.linter).toBe('cfn-lint');
      const [split, unknown] = [run.grades.find((g) => g.submission === 'split-files')!, run.grades.find((g) => g.submission === 'unknown-type')!];
      expect(split.quality.findings.filter((f) => f.rule === 'cfn-lint/E3004').map((f) => `${f.file}:${f.line} ${f.logicalId}`)).toEqual([
        'main.yaml:60 Ingest',
        'main.yaml:76 Lambdas',
      ]);
      expect(unknown.quality.findings.some((f) => f.source === 'cfn-lint' && f.logicalId === 'DataVpc')).toBe(true);
      // cfn-lint reports the unknown types itself, so the reader's findings are not deducted twice.
      expect(unknown.quality.findings.filter((f) => f.rule === 'unknown-resource-type')).toEqual([]);
    },
    60000,
  );

  test('cfn-lint results are cached by content: grading the class again lints only what changed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lint-cache-'));
    try {
      // A stand-in cfn-lint that logs its calls and reports one warning per file.
      const fake = path.join(dir, 'cfn-lint');
      const finding = (file: string) =>
        JSON.stringify([
          {
            Filename: file,
            Level: 'Warning',
            Message: 'stand-in',
            Rule: { Id: 'W0001' },
            Location: { Path: ['Resources', 'AppVpc'], Start: { LineNumber: 4 } },
          },
        ]);
      const script = [
        '#!/bin/sh',
        `echo "$@" >> '${dir}/calls.log'`,
        'if [ "$1" = "--version" ]; then echo "cfn-lint 9.9.9"; exit 0; fi',
        'for last in "$@"; do :; done',
        `printf '%s' '${finding('FILE')}' | sed "s|FILE|$last|"`,
      ];
      await writeFile(fake, `${script.join('\n')}\n`);
      await chmod(fake, 0o755);
      const run = () =>
        gradeAll({
          inputs: [fixture('unknown-type')],
          rubric: defaultRubric(),
          cfnLintCommand: fake,
          cfnLintCache: path.join(dir, 'cache'),
          repoFacts: NOT_IN_GIT,
        });
      const first = await run();
      const second = await run();
      const calls = (await readFile(path.join(dir, 'calls.log'), 'utf8')).trim().split('\n');
      expect(calls.filter((c) => c.startsWith('--format json'))).toHaveLength(1); // linted once, then read from the cache
      expect(calls.filter((c) => c === '--version')).toHaveLength(2);
      const lintFindings = (g: typeof first) => g.grades[0]!.quality.findings.filter((f) => f.source === 'cfn-lint');
      expect(lintFindings(second)).toEqual(lintFindings(first));
      expect(lintFindings(first)).toEqual([
        {
          file: 'template.yaml',
          line: 4,
          logicalId: 'AppVpc',
          path: 'line 4',
          rule: 'cfn-lint/W0001',
          severity: 'warning',
          message: 'stand-in',
          fix: 'see the cfn-lint rule documentation',
          source: 'cfn-lint',
        },
      ]);
      expect(second.lint).toEqual({ linter: 'cfn-lint', version: 'cfn-lint 9.9.9' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
