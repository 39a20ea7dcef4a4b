/** The thin CLI: exit codes, one line per finding, the summary, --json. Runs tools/validate.ts through tsx. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT_DIR = path.resolve(__dirname, '../../..');

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'tools/validate.ts', ...args], { cwd: ROOT_DIR, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'validate-cli-'));
  // A root without any nested stack, plus a bucket that breaks two security rules.
  await writeFile(
    path.join(dir, 'root.yaml'),
    ['AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  OpenBucket:', '    Type: AWS::S3::Bucket', '    Properties:', '      BucketNme: x', ''].join(
      '\n',
    ),
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

test('prints one line per finding and a summary, and exits 1 on errors', () => {
  const { code, stdout, stderr } = cli('--dir', dir, '--no-cfn-lint');
  expect(code).toBe(1);
  const label = path.relative(ROOT_DIR, dir);
  const lines = stderr.trim().split('\n');
  expect(lines).toEqual(
    expect.arrayContaining([
      `${label}/root.yaml: OpenBucket: Properties.BucketNme: spec-property: AWS::S3::Bucket has no property BucketNme (did you mean BucketName?)`,
    ]),
  );
  for (const line of lines) expect(line).toMatch(/^[^:]+\.yaml: [^:]+: [^:]+: [a-z0-9-]+: .+ \(.+\)$/);
  expect(stdout).toMatch(/cfn-lint: skipped \(--no-cfn-lint\)/);
  expect(stdout).toMatch(/validate: 1 templates, 1 resources checked in \d+\.\d\d s: \d+ error\(s\), \d+ warning\(s\), 0 info/);
});

test('--json prints the findings and counts as one JSON document', () => {
  const { code, stdout } = cli('--dir', dir, '--no-cfn-lint', '--json');
  expect(code).toBe(1);
  const report = JSON.parse(stdout) as { templates: number; counts: { error: number }; findings: { rule: string }[] };
  expect(report.templates).toBe(1);
  expect(report.counts.error).toBeGreaterThan(0);
  expect(report.findings.map((f) => f.rule)).toEqual(
    expect.arrayContaining(['spec-property', 's3-bucket-encryption', 's3-public-access-block', 's3-tls-only', 'stateful-retention']),
  );
});

test('an unknown flag exits 2 with the usage (tools/lib/cli.ts)', () => {
  const { code, stderr } = cli('--fast');
  expect(code).toBe(2);
  expect(stderr).toMatch(/^validate: Unknown option '--fast'\nusage: npm run validate/);
});

test('--dir=<dir> works like --dir <dir>', () => {
  expect(cli(`--dir=${dir}`, '--no-cfn-lint').code).toBe(1);
});

test('--rules --json lists every rule with its explanation', () => {
  const { code, stdout } = cli('--rules', '--json');
  expect(code).toBe(0);
  const catalog = JSON.parse(stdout) as { id: string; explanation?: string }[];
  for (const id of ['retain-except-on-create', 'singleton-condition', 'config-rule-recorder', 'physical-name-scope', 'waf-body-size']) {
    expect(catalog.find((r) => r.id === id)?.explanation?.length).toBeGreaterThan(80);
  }
});
