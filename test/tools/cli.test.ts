import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { numberFlag, parseCli, regionFlag, urlFlag } from '../../tools/lib/cli';
import { UsageError } from '../../tools/lib/errors';

const REPO = path.resolve(__dirname, '..', '..');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/run.cjs', 'test/fixtures/cli/echo-tool.ts', ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('parseCli', () => {
  const spec = { name: 't', usage: 'usage: t', options: { speed: { type: 'string' }, quiet: { type: 'boolean' } } } as const;

  test.each([[['--speed', '5']], [['--speed=5']]])('reads %j', (argv) => {
    expect(parseCli(spec, argv).values.speed).toBe('5');
  });

  test.each([
    [['--sped', '5'], "Unknown option '--sped'"],
    [['--speed'], "Option '--speed <value>' argument missing"],
    [['extra'], "unexpected argument 'extra'"],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCli(spec, argv)).toThrow(UsageError);
    expect(() => parseCli(spec, argv)).toThrow(message);
  });

  test('--debug is known to every tool', () => {
    expect(parseCli(spec, ['--debug']).debug).toBe(true);
  });
});

describe('flag values', () => {
  test.each(['not-a-url', 'ftp://x', 'localhost:4566'])('urlFlag rejects %s naming the flag', (value) => {
    expect(() => urlFlag('endpoint-url', value)).toThrow(`--endpoint-url must be an http:// or https:// URL such as http://localhost:4566 (got '${value}')`);
  });
  test('urlFlag keeps a URL without its trailing slash', () => {
    expect(urlFlag('endpoint-url', 'http://localhost:4566/')).toBe('http://localhost:4566');
  });
  test.each(['us-east-1', 'eu-central-2', 'us-gov-west-1', 'ap-southeast-7', 'cn-north-1'])('regionFlag accepts %s', (r) => {
    expect(regionFlag('region', r)).toBe(r);
  });
  test.each(['useast1', 'US-EAST-1', 'us-east', 'https://sqs.us-east-1.amazonaws.com'])('regionFlag rejects %s', (r) => {
    expect(() => regionFlag('region', r)).toThrow(`--region must be an AWS region name such as us-east-1 (got '${r}')`);
  });
  test.each([
    ['5', { min: 0 }, 5],
    ['0.5', { min: 0, max: 1 }, 0.5],
  ])('numberFlag(%s)', (value, bounds, expected) => {
    expect(numberFlag('speed', value, bounds)).toBe(expected);
  });
  test.each([
    ['', {}, "--speed must be a number (got '')"],
    ['abc', { min: 0 }, "--speed must be a number ≥ 0 (got 'abc')"],
    ['101', { min: 0, max: 100 }, "--speed must be a number ≥ 0 and ≤ 100 (got '101')"],
    ['1.5', { integer: true, min: 1 }, "--speed must be a whole number ≥ 1 (got '1.5')"],
    ['Infinity', {}, "--speed must be a number (got 'Infinity')"],
  ])('numberFlag rejects %j', (value, bounds, message) => {
    expect(() => numberFlag('speed', value, bounds)).toThrow(message);
  });
});

describe('runCli exit codes (a real process)', () => {
  test('--flag=value and --flag value are the same', () => {
    expect(run('--speed=5').stdout).toBe(run('--speed', '5').stdout);
    expect(JSON.parse(run('--speed=5').stdout)).toEqual({ speed: 5 });
  });
  test('--help prints the usage and exits 0', () => {
    expect(run('--help')).toMatchObject({ code: 0, stdout: 'usage: echo-tool [--speed N] [--endpoint-url URL] [--fail] [--crash]\n' });
  });
  test('a bad flag value exits 2 with the flag named and the usage', () => {
    const r = run('--endpoint-url', 'not-a-url');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "echo-tool: --endpoint-url must be an http:// or https:// URL such as http://localhost:4566 (got 'not-a-url')\nusage: echo-tool [--speed N] [--endpoint-url URL] [--fail] [--crash]\n",
    );
  });
  test('an unknown flag exits 2', () => {
    expect(run('--nope').code).toBe(2);
  });
  test('a ToolError exits 1 with its message only', () => {
    expect(run('--fail')).toMatchObject({ code: 1, stderr: 'the work failed: see above\n' });
  });
  test('a bug exits 1 without a stack trace unless --debug', () => {
    const plain = run('--crash');
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe('echo-tool failed: boom\n(run again with --debug for the stack trace)\n');
    const debug = run('--crash', '--debug');
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/TypeError: boom\n\s+at /);
  });
});
