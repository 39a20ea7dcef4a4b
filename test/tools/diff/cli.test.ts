/** npm run diff:templates' command line (runCli): usage errors exit 2 with the usage. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');

function diffTemplates(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/run.cjs', 'tools/diff-templates.ts', ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test.each<[string[], RegExp]>([
  [[], /^diff:templates: --base is required/],
  [['--base', 'HEAD', '--format', 'pdf'], /^diff:templates: --format must be markdown or text \(got 'pdf'\)/],
  [['--base', 'HEAD', '--bogus'], /^diff:templates: Unknown option '--bogus'/],
])('%j exits 2 with the usage', (args, message) => {
  const r = diffTemplates(...args);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toContain('usage: npm run diff:templates -- --base <git-ref> [options]');
});

test('an unknown ref is one line and exit 1', () => {
  const r = diffTemplates('--base', 'no-such-ref-anywhere');
  expect(r.code).toBe(1);
  expect(r.stderr.trim()).toMatch(/^diff:templates: git ref "no-such-ref-anywhere" is not a commit in .*fetch it first/);
});

test('--help prints the usage and exits 0', () => {
  const r = diffTemplates('--help');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('--cost-params <file>');
});
