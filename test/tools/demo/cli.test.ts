import path from 'node:path';
import { parseArgs, UsageError } from '../../../tools/demo';

describe('npm run demo arguments', () => {
  test.each([
    [[], { help: false }],
    [['--replay', 'data/x.csv', '--symbol', 'aapl'], { help: false, replayFile: path.resolve('/w', 'data/x.csv'), symbol: 'AAPL' }],
    [['--speed', '0', '--threshold', '7.5'], { help: false, speed: 0, thresholdPercent: 7.5 }],
    [['--faults', '--quiet', '--keep'], { help: false, faults: true, quiet: true, keep: true }],
    [['--help'], { help: true }],
  ])('%j', (argv, expected) => {
    expect(parseArgs(argv, '/w')).toEqual(expected);
  });

  test.each([
    [['--replay'], '--replay needs a value'],
    [['--speed', '-1'], '--speed must be a number between 0 and 10000 (got "-1")'],
    [['--threshold', 'ten'], '--threshold must be a number between 0.01 and 100 (got "ten")'],
    [['--threshold', '150'], '--threshold must be a number between 0.01 and 100 (got "150")'],
    [['--fast'], 'unknown option --fast'],
  ])('%j → %s', (argv, message) => {
    expect(() => parseArgs(argv, '/w')).toThrow(new UsageError(message));
  });
});
