import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../../tools/lib/errors';
import { parseDemoArgs } from '../../../tools/demo';
import { ROOT_PARAMETERS } from '../../../templates-src/parameters';

const rootDir = path.join(__dirname, '../../..');

describe('npm run demo arguments', () => {
  test.each([
    [[], {}],
    [['--replay', 'data/x.csv', '--symbol', 'aapl'], { replayFile: path.resolve('/w', 'data/x.csv'), symbol: 'AAPL' }],
    [['--replay=data/x.csv', '--with-poller'], { replayFile: path.resolve('/w', 'data/x.csv'), poller: true }],
    [['--speed=5', '--threshold', '7.5'], { speed: 5, thresholdPercent: 7.5 }],
    [['--speed', '0'], { speed: 0 }],
    [['--decimal-comma', '--date-format', 'dmy'], { decimalComma: true, dateOrder: 'DMY' }],
    [['--faults', '--quiet', '--keep', '--debug'], { faults: true, quiet: true, keep: true, debug: true }],
  ])('%j', (argv, expected) => {
    expect(parseDemoArgs(argv, '/w')).toEqual(expected);
  });

  const { MinValue, MaxValue } = ROOT_PARAMETERS.StockDropPercent!.definition;
  test.each([
    [['--replay'], "Option '--replay <value>' argument missing"],
    [['--speed=-1'], "--speed must be a number ≥ 0 and ≤ 10000 (got '-1')"],
    [['--threshold', 'ten'], `--threshold must be a number ≥ ${MinValue} and ≤ ${MaxValue} (got 'ten')`],
    [['--threshold', String(Number(MaxValue) + 1)], `--threshold must be a number ≥ ${MinValue} and ≤ ${MaxValue} (got '${Number(MaxValue) + 1}')`],
    [['--date-format', 'YDM'], "--date-format must be one of DMY, MDY, YMD (got 'YDM')"],
    [['--with-poller'], '--with-poller adds the poller run to a --replay'],
    [['--symbol', 'not a symbol'], '--symbol must be 1–10 letters'],
    [['--fast'], "Unknown option '--fast'"],
  ])('%j → %s', (argv, message) => {
    expect(() => parseDemoArgs(argv, '/w')).toThrow(UsageError);
    expect(() => parseDemoArgs(argv, '/w')).toThrow(message);
  });

  test('the --threshold bounds are the root StockDropPercent parameter’s', () => {
    expect(() => parseDemoArgs(['--threshold', String(MinValue)], '/w')).not.toThrow();
    expect(() => parseDemoArgs(['--threshold', String(Number(MinValue) / 2)], '/w')).toThrow(UsageError);
  });
});

describe('npm run demo exit codes (a real process)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(rootDir, 'node_modules/tsx/dist/cli.mjs'), path.join(rootDir, 'tools/demo.ts'), ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });

  test('a bad flag exits 2 with the flag named and the usage', () => {
    const r = run('--speed=fast');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("demo: --speed must be a number ≥ 0 and ≤ 10000 (got 'fast')");
    expect(r.stderr).toContain('usage: npm run demo');
  });

  test('an unusable replay file exits 2 naming the line, without starting anything', () => {
    const file = path.join(dir, 'ACME.csv');
    writeFileSync(file, 'Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10,1000\n2024-01-03,10,11,9,12,5,1000\n');
    const r = run('--replay', file, '--quiet');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      `${file}: line 3 has 7 fields but the header has 6: most likely an unquoted thousands separator or decimal comma (such as 1,055,433 or 12,5) split a number in two; quote such values ("1,055,433", "12,5") or save the file with ';' between fields (and pass --decimal-comma if the commas are decimal commas)`,
    );
    expect(r.stdout).not.toContain('starting kinesalite');
  });

  test('two Ctrl-C in a row: exit 130 at once, and no temp folder of the run is left', async () => {
    const tmp = mkdtempSync(path.join(dir, 'tmp-'));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(rootDir, 'tools/demo.ts')], {
      cwd: rootDir,
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('POST http')) resolve();
      });
    });
    expect(readdirSync(tmp).some((d) => d.startsWith('stockwx-demo-'))).toBe(true);
    child.kill('SIGINT');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readdirSync(tmp).filter((d) => d.startsWith('stockwx-demo'))).toEqual([]); // tsx keeps its own cache there
  }, 60_000);
});
